package dev.elasticagents.gocd.plugin;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reading GoCD's and the service's JSON strictly enough that a bad body is one clear error. */
final class Json {

  /** HTML in views and messages stays readable: GoCD parses the JSON, it does not embed it raw. */
  static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

  private Json() {}

  static JsonObject object(String body) {
    return asObject(parse(body), "the body");
  }

  static JsonElement parse(String body) {
    if (body == null || body.isBlank()) {
      throw new InvalidRequest("the body is empty");
    }
    try {
      return JsonParser.parseString(body);
    } catch (JsonParseException notJson) {
      throw new InvalidRequest("the body is not JSON");
    }
  }

  static JsonObject asObject(JsonElement element, String what) {
    if (element == null || !element.isJsonObject()) {
      throw new InvalidRequest(what + " is not a JSON object");
    }
    return element.getAsJsonObject();
  }

  /** A flat map of property values; GoCD sends strings, a null is a property left unset. */
  static Map<String, String> properties(JsonElement element, String what) {
    Map<String, String> properties = new LinkedHashMap<>();
    if (element == null || element.isJsonNull()) {
      return properties;
    }
    for (Map.Entry<String, JsonElement> entry : asObject(element, what).entrySet()) {
      JsonElement value = entry.getValue();
      if (value.isJsonNull()) {
        properties.put(entry.getKey(), null);
      } else if (value.isJsonPrimitive()) {
        properties.put(entry.getKey(), value.getAsString());
      } else {
        throw new InvalidRequest(what + " has a value that is not a string: " + entry.getKey());
      }
    }
    return properties;
  }

  static List<JsonObject> objects(JsonElement element, String what) {
    if (element == null || element.isJsonNull()) {
      return List.of();
    }
    if (!element.isJsonArray()) {
      throw new InvalidRequest(what + " is not a JSON array");
    }
    List<JsonObject> objects = new ArrayList<>();
    element.getAsJsonArray().forEach(item -> objects.add(asObject(item, "an item of " + what)));
    return objects;
  }

  static JsonArray array(List<? extends JsonElement> elements) {
    JsonArray array = new JsonArray();
    elements.forEach(array::add);
    return array;
  }

  static String string(JsonObject object, String key) {
    JsonElement value = object.get(key);
    return value != null && value.isJsonPrimitive() ? value.getAsString() : null;
  }
}
