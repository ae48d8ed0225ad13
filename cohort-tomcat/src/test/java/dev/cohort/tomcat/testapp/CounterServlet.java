package dev.cohort.tomcat.testapp;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The test webapp: a session counter and a few probes. Answers {@code key=value} lines (easy to
 * parse, no JSON library needed).
 */
public final class CounterServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private final String node;
  private final EventCounter events;

  /**
   * {@code /hold}: after changing the count, the request waits until a test opens this gate (at
   * most 30 s), releasing a permit of {@link #HELD} when it starts to wait.
   */
  public static volatile CountDownLatch gate = new CountDownLatch(0);

  public static final Semaphore HELD = new Semaphore(0);

  public CounterServlet(String node, EventCounter events) {
    this.node = node;
    this.events = events;
  }

  @Override
  @SuppressWarnings("unchecked")
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    resp.setContentType("text/plain;charset=UTF-8");
    String path = req.getServletPath();
    PrintWriter out = resp.getWriter();
    out.println("node=" + node);
    switch (path) {
      case "/counter" -> {
        HttpSession s = req.getSession();
        Integer c = (Integer) s.getAttribute("count");
        int n = c == null ? 1 : c + 1;
        s.setAttribute("count", n);
        out.println("count=" + n);
        out.println("session=" + s.getId());
      }
      case "/atomic" -> {
        // as the demo webapp: the increment is atomic on this node, so a count seen twice or a
        // change that lands although its request failed is the cluster's doing
        HttpSession s = req.getSession();
        int n;
        synchronized (this) {
          Integer c = (Integer) s.getAttribute("count");
          n = c == null ? 1 : c + 1;
          s.setAttribute("count", n);
        }
        out.println("count=" + n);
        out.println("session=" + s.getId());
      }
      case "/hold" -> {
        HttpSession s = req.getSession();
        int n;
        synchronized (this) {
          Integer c = (Integer) s.getAttribute("count");
          n = c == null ? 1 : c + 1;
          s.setAttribute("count", n);
        }
        HELD.release();
        try {
          gate.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        out.println("count=" + n);
      }
      case "/flush" -> {
        HttpSession s = req.getSession();
        Integer c = (Integer) s.getAttribute("count");
        int n = c == null ? 1 : c + 1;
        out.println("count=" + n);
        out.flush();
        resp.flushBuffer();
        s.setAttribute("count", n); // changed after the flush: must still be acknowledged first
        out.println("session=" + s.getId());
      }
      case "/list" -> {
        HttpSession s = req.getSession();
        List<String> list = (List<String>) s.getAttribute("list");
        if (list == null) {
          list = new ArrayList<>();
          s.setAttribute("list", list);
        }
        list.add("item"); // in place: no second setAttribute
        out.println("size=" + list.size());
      }
      case "/peek" -> {
        HttpSession s = req.getSession(false);
        Object c = s == null ? null : s.getAttribute("count");
        out.println("count=" + (c == null ? -1 : c));
        out.println("gadget=" + (s != null && s.getAttribute("gadget") != null));
      }
      case "/bad" -> {
        try {
          req.getSession().setAttribute("bad", new Unserializable());
          out.println("error=none");
        } catch (IllegalArgumentException e) {
          out.println("error=" + e.getMessage());
        }
      }
      case "/rotate" -> {
        req.getSession();
        out.println("session=" + req.changeSessionId());
      }
      case "/view" -> {
        Object engine = req.getServletContext().getAttribute("dev.cohort.engine");
        out.println(
            "members="
                + (engine == null
                    ? 0
                    : ((dev.cohort.core.engine.SessionEngine) engine).view().size()));
      }
      case "/login" -> out.println("login=form");
      case "/secure/page" -> out.println("user=" + req.getRemoteUser());
      case "/gadget" -> req.getSession().setAttribute("gadget", new Gadget());
      case "/invalidate" -> {
        HttpSession s = req.getSession(false);
        if (s != null) {
          s.invalidate();
        }
      }
      case "/ttl" ->
          req.getSession().setMaxInactiveInterval(Integer.parseInt(req.getParameter("s")));
      case "/events" -> {
        out.println("created=" + events.created.get());
        out.println("destroyed=" + events.destroyed.get());
        out.println("idChanged=" + events.idChanged.get());
      }
      default -> resp.setStatus(404);
    }
  }
}
