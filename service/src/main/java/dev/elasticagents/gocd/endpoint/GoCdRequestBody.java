package dev.elasticagents.gocd.endpoint;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import org.springframework.http.HttpStatus;

/**
 * The JSON object body of a GoCD message, read with a size limit. A body that is too large or not a
 * JSON object is refused with a message that never repeats the body: it may hold the auto-register
 * key.
 */
final class GoCdRequestBody {

  /** Larger than any message GoCD sends for one job; the plugin refuses larger ones too. */
  static final int MAX_BYTES = 256 * 1024;

  private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {};

  private GoCdRequestBody() {}

  /**
   * A server-ping carries GoCD's whole agent list, about 120 bytes an agent: this bound leaves room
   * for tens of thousands of agents.
   */
  static final int MAX_AGENT_LIST_BYTES = 4 * 1024 * 1024;

  static Map<String, Object> read(HttpServletRequest request, ObjectMapper json) {
    return read(request, json, MAX_BYTES);
  }

  static Map<String, Object> read(HttpServletRequest request, ObjectMapper json, int maxBytes) {
    if (request.getContentLengthLong() > maxBytes) {
      throw tooLarge(maxBytes);
    }
    byte[] body;
    try (InputStream in = request.getInputStream()) {
      body = in.readNBytes(maxBytes + 1);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read the request body", e);
    }
    if (body.length > maxBytes) {
      throw tooLarge(maxBytes);
    }
    try {
      Map<String, Object> object = json.readValue(body, OBJECT);
      if (object == null) {
        throw new GoCdRequestException(HttpStatus.BAD_REQUEST, "the body must be a JSON object");
      }
      return object;
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw new GoCdRequestException(
          HttpStatus.BAD_REQUEST,
          at == null
              ? "the body must be a JSON object"
              : "the body must be a JSON object; it is not at line %d, column %d"
                  .formatted(at.getLineNr(), at.getColumnNr()));
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read the request body", e);
    }
  }

  private static GoCdRequestException tooLarge(int maxBytes) {
    return new GoCdRequestException(
        HttpStatus.PAYLOAD_TOO_LARGE, "the body must be at most %d bytes".formatted(maxBytes));
  }
}
