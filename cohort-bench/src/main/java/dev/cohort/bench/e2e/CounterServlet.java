package dev.cohort.bench.e2e;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.io.PrintWriter;

/**
 * The benchmark webapp. {@code /counter} increments the session's {@code count} and answers {@code
 * count=N} and {@code node=name}; {@code /peek} looks the session up without creating one and
 * answers {@code session=yes} or {@code session=none}; {@code /stats} the node's figures ({@code
 * ?reset=1} restarts the heap peak); {@code /populate?n=N} creates N sessions locally. Plain {@code
 * key=value} lines.
 */
final class CounterServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private final transient BenchNode node;

  CounterServlet(BenchNode node) {
    this.node = node;
  }

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    resp.setContentType("text/plain;charset=UTF-8");
    PrintWriter out = resp.getWriter();
    switch (req.getServletPath()) {
      case "/counter" -> {
        HttpSession s = req.getSession();
        Integer c = (Integer) s.getAttribute("count");
        int n = c == null ? 1 : c + 1;
        s.setAttribute("count", n);
        out.print("count=" + n + "\nnode=" + node.name() + "\n");
      }
      case "/peek" ->
          out.print("session=" + (req.getSession(false) == null ? "none" : "yes") + "\n");
      case "/stats" -> out.print(node.stats(req.getParameter("reset") != null));
      case "/populate" -> {
        int n = Integer.parseInt(req.getParameter("n"));
        out.print("populated=" + node.populate(n) + "\n");
      }
      default -> resp.setStatus(404);
    }
  }
}
