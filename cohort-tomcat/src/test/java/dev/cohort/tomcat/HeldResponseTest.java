package dev.cohort.tomcat;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.http.HttpServletResponse;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeldResponseTest {
  private final List<String> events = new ArrayList<>();
  private final StringWriter sent = new StringWriter();

  /** A response whose writer records what reaches "the client". */
  private HttpServletResponse real() {
    PrintWriter w =
        new PrintWriter(
            new Writer() {
              @Override
              public void write(char[] c, int off, int len) {
                sent.write(c, off, len);
              }

              @Override
              public void flush() {
                events.add("flush");
              }

              @Override
              public void close() {
                events.add("close");
              }
            });
    return (HttpServletResponse)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {HttpServletResponse.class},
            (proxy, m, args) ->
                switch (m.getName()) {
                  case "getWriter" -> w;
                  case "flushBuffer" -> {
                    events.add("flushBuffer");
                    yield null;
                  }
                  case "isCommitted" -> false;
                  default -> null;
                });
  }

  @Test
  void appFlush_isDeferred_untilRelease() throws Exception {
    HeldResponse held = new HeldResponse(real(), 1 << 20, () -> events.add("replicate"));
    PrintWriter out = held.getWriter();
    out.print("partial");
    out.flush();
    held.flushBuffer();

    assertThat(sent.toString()).isEmpty();
    assertThat(events).isEmpty();
    assertThat(held.isCommitted()).isTrue(); // what the app asked for, as far as it can tell

    held.release();
    assertThat(sent.toString()).isEqualTo("partial");
    assertThat(events).containsExactly("flush");
    out.print(" more");
    out.flush();
    assertThat(sent.toString()).isEqualTo("partial more");
  }

  @Test
  void largeResponse_replicatesFirst_thenStreams() throws Exception {
    HeldResponse held = new HeldResponse(real(), 8, () -> events.add("replicate"));
    PrintWriter out = held.getWriter();
    out.print("1234");
    out.flush();
    assertThat(events).isEmpty();
    out.print("56789");
    out.flush();

    assertThat(events).startsWith("replicate");
    assertThat(held.isReleased()).isTrue();
    assertThat(sent.toString()).isEqualTo("123456789");
  }

  @Test
  void resetBuffer_dropsHeldOutput() throws Exception {
    HeldResponse held = new HeldResponse(real(), 1 << 20, () -> {});
    held.getWriter().print("oops");
    held.getWriter().flush();
    held.resetBuffer();
    held.getWriter().print("ok");
    held.release();
    held.getWriter().flush();
    assertThat(sent.toString()).isEqualTo("ok");
  }
}
