package dev.cohort.cli.webapp;

import dev.cohort.core.engine.Placement;
import dev.cohort.core.engine.SessionEngine;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;

/**
 * The demo webapp: a session counter ({@code GET /counter}), a page that shows it ({@code /}), and
 * under {@code cohort demo} only, a button that crashes the node ({@code POST /kill}).
 *
 * <p>{@code /counter} answers {@code {"count":N,"node":"n1","session":"<id>","owner":"n1",
 * "replicas":["n2"]}}: the session id shown is the caller's own.
 */
public final class DemoWebapp {
  static final String ENGINE_ATTRIBUTE = "dev.cohort.engine";
  static final String COUNT = "count";

  private DemoWebapp() {}

  public static void install(Context ctx, String node, boolean demo) {
    Tomcat.addServlet(ctx, "counter", new CounterServlet(node));
    ctx.addServletMappingDecoded("/counter", "counter");
    Tomcat.addServlet(ctx, "page", new PageServlet(node, demo));
    ctx.addServletMappingDecoded("/", "page");
    if (demo) {
      Tomcat.addServlet(ctx, "kill", new KillServlet(node));
      ctx.addServletMappingDecoded("/kill", "kill");
    }
  }

  /** Strips Tomcat's {@code .route} suffix: the engine works on bare ids. */
  static String bareId(String id) {
    int dot = id.lastIndexOf('.');
    return dot < 0 ? id : id.substring(0, dot);
  }

  static String json(String s) {
    return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  /** GET /counter: one more in this session's count, and where the session lives. */
  static final class CounterServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final String node;

    CounterServlet(String node) {
      this.node = node;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      HttpSession session = req.getSession(true);
      int count;
      synchronized (this) {
        Object previous = session.getAttribute(COUNT);
        count = (previous instanceof Integer i ? i : 0) + 1;
        session.setAttribute(COUNT, count);
      }
      String id = session.getId();
      Placement where = placement(id);
      resp.setContentType("application/json;charset=UTF-8");
      resp.setHeader("Cache-Control", "no-store");
      resp.getWriter()
          .write(
              "{\"count\":"
                  + count
                  + ",\"node\":"
                  + json(node)
                  + ",\"session\":"
                  + json(id)
                  + ",\"owner\":"
                  + json(where.owner())
                  + ",\"replicas\":"
                  + where.holders().stream()
                      .map(DemoWebapp::json)
                      .collect(Collectors.joining(",", "[", "]"))
                  + "}");
    }

    private Placement placement(String id) {
      if (getServletContext().getAttribute(ENGINE_ATTRIBUTE) instanceof SessionEngine engine) {
        return engine.placement(bareId(id));
      }
      return new Placement(node, List.of());
    }
  }

  /** GET /: the page; it reads /counter with fetch() and needs no build step. */
  static final class PageServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final String html;

    PageServlet(String node, boolean demo) {
      try (InputStream in = DemoWebapp.class.getResourceAsStream("index.html")) {
        if (in == null) {
          throw new IllegalStateException("index.html missing from the jar — rebuild it");
        }
        this.html =
            new String(in.readAllBytes(), StandardCharsets.UTF_8)
                .replace("__NODE__", node)
                .replace("__DEMO__", Boolean.toString(demo));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      String path = req.getServletPath();
      if (!"/".equals(path) && !"/index.html".equals(path)) {
        resp.sendError(404);
        return;
      }
      resp.setContentType("text/html;charset=UTF-8");
      resp.setHeader("Cache-Control", "no-store");
      resp.getWriter().write(html);
    }
  }

  /**
   * POST /kill: the node halts at once, as in a crash (no drain, no goodbye to the cluster). Only
   * installed under {@code cohort demo}.
   */
  static final class KillServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final String node;

    KillServlet(String node) {
      this.node = node;
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.setStatus(202);
      resp.setContentType("application/json;charset=UTF-8");
      resp.getWriter().write("{\"killed\":" + json(node) + "}");
      resp.flushBuffer();
      System.err.println("demo: node " + node + " killed from the page (Runtime.halt)");
      Runtime.getRuntime().halt(137);
    }
  }
}
