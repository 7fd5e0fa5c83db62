package dev.elasticagents.testing;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;

/** The GoCD request bodies of {@code src/test/resources/seeds}. */
public final class Seeds {

  private Seeds() {}

  /** A seed body, read afresh, that the caller may change. */
  public static Map<String, Object> seed(String name) throws IOException {
    try (InputStream in = Seeds.class.getResourceAsStream("/seeds/" + name)) {
      return new HashMap<>(
          new ObjectMapper().readValue(in, new TypeReference<Map<String, Object>>() {}));
    }
  }
}
