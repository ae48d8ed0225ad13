package dev.cohort.tomcat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cohort.core.serial.AttributeCodec;
import jakarta.servlet.http.Cookie;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import org.apache.catalina.authenticator.Constants;
import org.apache.catalina.authenticator.SavedRequest;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.session.StandardSession;
import org.apache.tomcat.util.buf.ByteChunk;
import org.junit.jupiter.api.Test;

class SessionNotesTest {

  @Test
  void formLoginNotes_surviveTheTripThroughJdkTypesOnly() {
    SavedRequest saved = new SavedRequest();
    saved.setMethod("POST");
    saved.setRequestURI("/shop/checkout");
    saved.setDecodedRequestURI("/shop/checkout");
    saved.setQueryString("step=2");
    saved.setContentType("application/x-www-form-urlencoded");
    saved.setOriginalMaxInactiveInterval(1800);
    saved.addHeader("Accept", "text/html");
    saved.addHeader("Accept", "*/*");
    saved.addLocale(Locale.GERMANY);
    saved.addCookie(new Cookie("theme", "dark"));
    ByteChunk body = new ByteChunk();
    body.setBytes("a=1&b=2".getBytes(), 0, 7);
    saved.setBody(body);
    StandardSession from = new StandardSession(manager());
    from.setNote(Constants.FORM_REQUEST_NOTE, saved);
    from.setNote(Constants.SESSION_ID_NOTE, "abc.n1");
    from.setNote("org.example.local", new Object()); // not replicated

    AttributeCodec codec = AttributeCodec.defaults(); // JDK types only: no Catalina class needed
    Map<String, byte[]> notes = SessionNotes.capture(from, codec);
    StandardSession to = new StandardSession(manager());
    SessionNotes.restore(to, notes, codec, getClass().getClassLoader());

    assertThat(notes).containsOnlyKeys(Constants.FORM_REQUEST_NOTE, Constants.SESSION_ID_NOTE);
    SavedRequest r = (SavedRequest) to.getNote(Constants.FORM_REQUEST_NOTE);
    assertThat(r.getMethod()).isEqualTo("POST");
    assertThat(r.getRequestURI()).isEqualTo("/shop/checkout");
    assertThat(r.getQueryString()).isEqualTo("step=2");
    assertThat(r.getOriginalMaxInactiveInterval()).isEqualTo(1800);
    assertThat(r.getHeaderValues("Accept")).toIterable().containsExactly("text/html", "*/*");
    assertThat(r.getLocales()).toIterable().containsExactly(Locale.GERMANY);
    Cookie c = r.getCookies().next();
    assertThat(c.getName()).isEqualTo("theme");
    assertThat(c.getValue()).isEqualTo("dark");
    assertThat(r.getBody().toString()).isEqualTo("a=1&b=2");
    assertThat(to.getNote(Constants.SESSION_ID_NOTE)).isEqualTo("abc.n1");
  }

  @Test
  void passwordNote_neverLeavesTheNode_norIsTakenFromARecord() {
    String password = "pw-of-a-cache-false-login";
    StandardSession from = new StandardSession(manager());
    from.setNote(Constants.SESS_USERNAME_NOTE, "bob");
    from.setNote(Constants.SESS_PASSWORD_NOTE, password);
    AttributeCodec codec = AttributeCodec.defaults();

    Map<String, byte[]> notes = SessionNotes.capture(from, codec);

    assertThat(notes).containsOnlyKeys(Constants.SESS_USERNAME_NOTE);
    for (byte[] b : notes.values()) {
      assertThat(new String(b, StandardCharsets.ISO_8859_1)).doesNotContain(password);
    }
    // a record written before (or by another version) that carries one: not restored
    Map<String, byte[]> old =
        Map.of(
            Constants.SESS_USERNAME_NOTE, codec.serialize("u", "bob"),
            Constants.SESS_PASSWORD_NOTE, codec.serialize("p", password));
    StandardSession to = new StandardSession(manager());
    SessionNotes.restore(to, old, codec, getClass().getClassLoader());
    assertThat(to.getNote(Constants.SESS_USERNAME_NOTE)).isEqualTo("bob");
    assertThat(to.getNote(Constants.SESS_PASSWORD_NOTE)).isNull();
  }

  static ReplicatedManager manager() {
    ReplicatedManager m = new ReplicatedManager();
    StandardContext ctx = new StandardContext();
    ctx.setName("/t");
    m.setContext(ctx);
    return m;
  }
}
