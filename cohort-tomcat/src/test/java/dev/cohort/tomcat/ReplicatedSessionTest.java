package dev.cohort.tomcat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cohort.core.serial.AttributeCodec;
import dev.cohort.core.session.SessionUpdate;
import dev.cohort.tomcat.testapp.Unserializable;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReplicatedSessionTest {
  private final AttributeCodec codec = AttributeCodec.defaults();
  private ReplicatedSession session;

  @BeforeEach
  void create() {
    session = new ReplicatedSession(SessionNotesTest.manager());
    session.setValid(true);
    session.setCreationTime(1000);
    session.setMaxInactiveInterval(60);
    session.setId("abc123.n1", false);
  }

  @Test
  void firstCapture_isCreated_andCarriesSetAttributesWithRouteLessId() {
    session.setAttribute("count", 1);
    SessionUpdate u = session.capture(codec, codec);
    assertThat(u.id()).isEqualTo("abc123");
    assertThat(u.created()).isTrue();
    assertThat(u.touched()).containsOnlyKeys("count");
    assertThat(u.maxInactiveSeconds()).isEqualTo(60);
    assertThat(session.capture(codec, codec).created()).isFalse();
  }

  @Test
  void readingAMutableAttribute_capturesIt_readingAnImmutableOneDoesNot() {
    session.setAttribute("cart", new ArrayList<>(List.of("a")));
    session.setAttribute("name", "x");
    session.capture(codec, codec);

    @SuppressWarnings("unchecked")
    List<String> cart = (List<String>) session.getAttribute("cart");
    cart.add("b"); // in place
    session.getAttribute("name");
    SessionUpdate u = session.capture(codec, codec);

    assertThat(u.touched()).containsOnlyKeys("cart");
    assertThat(codec.deserialize("cart", u.touched().get("cart"), null))
        .isEqualTo(List.of("a", "b"));
    assertThat(session.capture(codec, codec).touched()).isEmpty();
  }

  @Test
  void removal_isCaptured_unlessTheAttributeIsSetAgain() {
    session.setAttribute("a", 1);
    session.setAttribute("b", 2);
    session.capture(codec, codec);
    session.removeAttribute("a");
    session.removeAttribute("b");
    session.setAttribute("b", 3);

    SessionUpdate u = session.capture(codec, codec);

    assertThat(u.removed()).containsExactly("a");
    assertThat(u.touched()).containsOnlyKeys("b");
  }

  @Test
  void nonSerializableValue_isRefusedAtOnce_namingAttributeAndClass() {
    assertThatThrownBy(() -> session.setAttribute("helper", new Unserializable()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'helper'")
        .hasMessageContaining(Unserializable.class.getName());
    assertThat(session.getAttribute("helper")).isNull();
  }

  @Test
  void valueThatStoppedSerializing_isLeftOutOfTheUpdate_othersStillShip() {
    List<Object> list = new ArrayList<>();
    session.setAttribute("list", list);
    session.setAttribute("n", 1);
    list.add(new Unserializable()); // in place, after the check

    SessionUpdate u = session.capture(codec, codec);

    assertThat(u.touched()).containsOnlyKeys("n");
  }
}
