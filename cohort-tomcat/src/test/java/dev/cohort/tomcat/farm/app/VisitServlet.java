package dev.cohort.tomcat.farm.app;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;

/**
 * The farmed test application: answers its version (the {@code version} init parameter of its
 * web.xml), a session visit counter, and whether the counter's class was loaded by this version's
 * class loader.
 */
public final class VisitServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    HttpSession session = req.getSession(true);
    Object o = session.getAttribute("visits");
    Visits v = o instanceof Visits existing ? existing : new Visits();
    int count = v.next();
    session.setAttribute("visits", v);
    resp.setContentType("text/plain");
    resp.getWriter()
        .print(
            "version="
                + getInitParameter("version")
                + "\ncount="
                + count
                + "\nsameLoader="
                + (v.getClass().getClassLoader() == getClass().getClassLoader())
                + "\n");
  }
}
