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
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;

/**
 * The demo webapp: a session counter ({@code GET /counter}), a page that shows it ({@code /}), and
 * under {@code cohort demo} only, a button that crashes the node ({@code POST /kill}).
 *
 * <p>{@code /counter} answers {@code {"count":N,"node":"n1","session":"<id>","owner":"n1",
 * "replicas":["n2"]}}: the session id shown is the caller's own. With {@code ?seq=N} (an
 * idempotency key, used by {@code cohort chaos}) it increments only if N is above the last applied
 * key of the session, so a request that a balancer retries after the first node applied (and
 * replicated) it and died is not counted twice. {@code /counter?invalidate=1} invalidates the
 * caller's session instead and answers {@code {"invalidated":true|false,"node":"n1"}} (false: there
 * was no session to invalidate, e.g. a retried request that the first attempt already applied).
 */
public final class DemoWebapp {
  static final String ENGINE_ATTRIBUTE = "dev.cohort.engine";
  static final String COUNT = "count";
  static final String SEQ = "seq";

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
      if ("1".equals(req.getParameter("invalidate"))) {
        invalidate(req, resp);
        return;
      }
      long seq = seq(req.getParameter("seq"));
      HttpSession session = req.getSession(true);
      int count;
      synchronized (this) {
        Object previous = session.getAttribute(COUNT);
        count = previous instanceof Integer i ? i : 0;
        Object applied = session.getAttribute(SEQ);
        if (seq == 0 || !(applied instanceof Long last) || seq > last) {
          count++;
          session.setAttribute(COUNT, count);
          if (seq > 0) {
            session.setAttribute(SEQ, seq);
          }
        }
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

    /** {@code ?invalidate=1}: the caller's session (if any) ends, in the whole cluster. */
    private void invalidate(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      HttpSession session = req.getSession(false);
      boolean had = false;
      if (session != null) {
        try {
          session.invalidate();
          had = true;
        } catch (IllegalStateException e) {
          // invalidated meanwhile by a concurrent request of the same user: gone either way
        }
      }
      resp.setContentType("application/json;charset=UTF-8");
      resp.setHeader("Cache-Control", "no-store");
      resp.getWriter().write("{\"invalidated\":" + had + ",\"node\":" + json(node) + "}");
    }

    /** The optional {@code seq} parameter: 0 when absent or malformed. */
    static long seq(String text) {
      if (text == null || !text.matches("[0-9]{1,18}")) {
        return 0;
      }
      return Long.parseLong(text);
    }

    private Placement placement(String id) {
      if (getServletContext().getAttribute(ENGINE_ATTRIBUTE) instanceof SessionEngine engine) {
        return servedHere(engine.placement(bareId(id)));
      }
      return new Placement(node, List.of());
    }

    /**
     * Where the session lives once this request ends: here. A session created by this request is
     * committed (and owned) only after the servlet, so the engine still answers with the rendezvous
     * guess; the holders for this node as owner are that ranking without this node.
     */
    Placement servedHere(Placement p) {
      if (p.owner().equals(node)) {
        return p;
      }
      List<String> ranked = new ArrayList<>();
      ranked.add(p.owner());
      ranked.addAll(p.holders());
      ranked.remove(node);
      int k = p.holders().size();
      return new Placement(node, ranked.subList(0, Math.min(k, ranked.size())));
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
      // halt a moment later, off the request thread, so the answer leaves the socket first (a
      // halt right after the flush cut it off and the balancer answered 502)
      Thread halter =
          new Thread(
              () -> {
                try {
                  Thread.sleep(200);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                Runtime.getRuntime().halt(137);
              },
              "cohort-demo-kill");
      halter.setDaemon(true);
      halter.start();
    }
  }
}
