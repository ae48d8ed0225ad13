package dev.cohort.cli.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
  @Test
  void readsTheCounterDocument() {
    Map<String, Object> m =
        Json.object(
            "{\"count\":3,\"node\":\"n1\",\"session\":\"AB.n1\",\"owner\":\"n1\",\"replicas\":[\"n2\"]}");

    assertThat(Json.num(m, "count", -1)).isEqualTo(3);
    assertThat(m.get("replicas")).isEqualTo(List.of("n2"));
  }

  @Test
  void readsNestedValuesEscapesAndLiterals() {
    Map<String, Object> m =
        Json.object("{ \"a\" : [1, 2.5, true, false, null], \"b\": {\"c\": \"x\\\"y\\u0041\"} }");

    assertThat(m.get("a")).isEqualTo(java.util.Arrays.asList(1L, 2.5, true, false, null));
    assertThat(((Map<?, ?>) m.get("b")).get("c")).isEqualTo("x\"yA");
  }

  @Test
  void rejectsBrokenInput_withAnOffset() {
    assertThatThrownBy(() -> Json.parse("{\"a\":}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("offset");
    assertThatThrownBy(() -> Json.parse("[1,2] x")).hasMessageContaining("trailing");
  }
}
