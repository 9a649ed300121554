package io.tes4j.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.tes4j.api.ListTasksRequest;
import io.tes4j.model.View;
import java.net.URI;
import org.junit.jupiter.api.Test;

class TesRoutesTest {
  private final TesRoutes routes = new TesRoutes(URI.create("http://h:1/ga4gh/tes/v1"));

  @Test
  void idsAreEncodedAsOnePathSegment() {
    assertThat(TesRoutes.pathSegment("abc-1_2.3~x")).isEqualTo("abc-1_2.3~x");
    assertThat(TesRoutes.pathSegment("a/b c:d?e#f%g")).isEqualTo("a%2Fb%20c%3Ad%3Fe%23f%25g");
    assertThat(TesRoutes.pathSegment("日")).isEqualTo("%E6%97%A5");
    assertThat(TesRoutes.pathSegment("..")).isEqualTo("%2E%2E");
    assertThatIllegalArgumentException().isThrownBy(() -> TesRoutes.pathSegment(""));
  }

  @Test
  void routesUseTheSpecPathsAndMethods() {
    assertThat(routes.serviceInfo().describe())
        .isEqualTo("GET http://h:1/ga4gh/tes/v1/service-info");
    assertThat(routes.getTask("a/b", View.BASIC).describe())
        .isEqualTo("GET http://h:1/ga4gh/tes/v1/tasks/a%2Fb?view=BASIC");
    assertThat(routes.cancelTask("a b").describe())
        .isEqualTo("POST http://h:1/ga4gh/tes/v1/tasks/a%20b:cancel");
    assertThat(routes.listTasks(ListTasksRequest.all()).describe())
        .isEqualTo("GET http://h:1/ga4gh/tes/v1/tasks?view=MINIMAL");
  }

  @Test
  void onlyCreateTaskIsNotIdempotent() {
    assertThat(routes.createTask(io.tes4j.model.Task.builder().build()).idempotent()).isFalse();
    assertThat(routes.cancelTask("x").idempotent()).isTrue();
    assertThat(routes.getTask("x", View.FULL).idempotent()).isTrue();
    assertThat(routes.listTasks(ListTasksRequest.all()).idempotent()).isTrue();
    assertThat(routes.serviceInfo().idempotent()).isTrue();
  }

  @Test
  void queryValuesArePercentEncoded() {
    assertThat(TesRoutes.Query.encode("a b+c&d=e/ü")).isEqualTo("a%20b%2Bc%26d%3De%2F%C3%BC");
  }
}
