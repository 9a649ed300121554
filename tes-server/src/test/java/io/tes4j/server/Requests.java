package io.tes4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.tes4j.model.TesJson;
import io.tes4j.server.auth.AuthenticationException;
import io.tes4j.server.auth.Authenticator;
import io.tes4j.server.auth.Identity;
import io.tes4j.server.auth.Scope;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Shortcuts for the tests: requests, JSON answers, and a test-only authenticator. */
final class Requests {
  static final String HELLO =
      "{\"name\":\"hello\",\"executors\":[{\"image\":\"alpine:3.20\",\"command\":[\"echo\",\"hello\"]}]}";

  private Requests() {}

  static ApiRequest get(String pathAndQuery, String... headers) {
    return request("GET", pathAndQuery, null, headers);
  }

  static ApiRequest post(String pathAndQuery, String body, String... headers) {
    return request("POST", pathAndQuery, body, headers);
  }

  static ApiRequest request(String method, String pathAndQuery, String body, String... headers) {
    int question = pathAndQuery.indexOf('?');
    Map<String, List<String>> map = new LinkedHashMap<>();
    for (int i = 0; i + 1 < headers.length; i += 2) {
      map.put(headers[i], List.of(headers[i + 1]));
    }
    return new ApiRequest(
        method,
        question < 0 ? pathAndQuery : pathAndQuery.substring(0, question),
        question < 0 ? null : pathAndQuery.substring(question + 1),
        map,
        body == null ? null : body.getBytes(StandardCharsets.UTF_8),
        null);
  }

  static JsonNode json(ApiResponse response) {
    try {
      return TesJson.reader().readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON: " + response.bodyText(), e);
    }
  }

  /**
   * {@code Bearer alice-token} is alice with READ and SUBMIT and CANCEL, {@code Bearer bob-token}
   * bob with the same, {@code Bearer reader-token} reader with READ only; anything else is refused.
   */
  static Authenticator tokens() {
    return authorization -> {
      if (authorization == null) {
        throw new AuthenticationException("no credentials: send Authorization: Bearer TOKEN", "Bearer realm=\"tes4j\"");
      }
      return switch (authorization) {
        case "Bearer alice-token" -> new Identity("alice", EnumSet.allOf(Scope.class));
        case "Bearer bob-token" -> new Identity("bob", EnumSet.allOf(Scope.class));
        case "Bearer reader-token" -> new Identity("reader", EnumSet.of(Scope.READ));
        default -> throw new AuthenticationException("unknown token", "Bearer realm=\"tes4j\", error=\"invalid_token\"");
      };
    };
  }
}
