package dev.cohort.tomcat;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.File;
import java.io.IOException;
import org.apache.catalina.Context;
import org.apache.catalina.Host;
import org.apache.catalina.Lifecycle;
import org.apache.catalina.Wrapper;
import org.apache.catalina.startup.Constants;
import org.apache.catalina.startup.ContextConfig;
import org.apache.catalina.startup.Tomcat;

/**
 * What a Tomcat distribution's {@code conf/web.xml} gives every webapp, for a Tomcat that has no
 * such file (an embedded one, as under {@code cohort node}): the default servlet (static files, no
 * directory listings), the JSP servlet for {@code *.jsp} and {@code *.jspx}, the MIME types and the
 * welcome files {@code index.html}, {@code index.htm}, {@code index.jsp}. The webapp's own {@code
 * web.xml} may override each of them, as it may a distribution's.
 *
 * <p>Without Jasper on the class path, {@code *.jsp} and {@code *.jspx} answer 500 saying so: the
 * default servlet would otherwise send a JSP's source to anyone who asks for it.
 */
public final class WebappDefaults {
  static final String JSP_SERVLET = "org.apache.jasper.servlet.JspServlet";

  private WebappDefaults() {}

  /**
   * Gives {@code ctx} the defaults when its Host has no global {@code conf/web.xml}; a context
   * whose Tomcat has one reads it as usual. Call before the context starts, with the {@link
   * ContextConfig} that configures it.
   */
  public static void installUnlessGlobalWebXml(Context ctx, ContextConfig config, Host host) {
    if (hasGlobalWebXml(config, host)) {
      return;
    }
    config.setDefaultWebXml(Constants.NoDefaultWebXml);
    install(ctx);
  }

  /** Adds the defaults when the context is about to start (before its web.xml is read). */
  public static void install(Context ctx) {
    ctx.addLifecycleListener(
        event -> {
          if (Lifecycle.BEFORE_START_EVENT.equals(event.getType())
              && ctx.findChild("default") == null) {
            apply(ctx);
          }
        });
  }

  static boolean jasperPresent(ClassLoader loader) {
    try {
      Class.forName(JSP_SERVLET, false, loader);
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  private static boolean hasGlobalWebXml(ContextConfig config, Host host) {
    String name = config.getDefaultWebXml();
    if (name == null || Constants.NoDefaultWebXml.equals(name)) {
      return false;
    }
    File f = new File(name);
    if (!f.isAbsolute()) {
      String base =
          host != null && host.getCatalinaBase() != null
              ? host.getCatalinaBase().getPath()
              : System.getProperty("catalina.base");
      if (base == null) {
        return false;
      }
      f = new File(base, name);
    }
    return f.isFile();
  }

  private static void apply(Context ctx) {
    Wrapper files =
        Tomcat.addServlet(ctx, "default", "org.apache.catalina.servlets.DefaultServlet");
    files.addInitParameter("listings", "false");
    files.setLoadOnStartup(1);
    files.setOverridable(true);
    ctx.addServletMappingDecoded("/", "default");

    Wrapper jsp;
    if (jasperPresent(WebappDefaults.class.getClassLoader())) {
      jsp = Tomcat.addServlet(ctx, "jsp", JSP_SERVLET);
      jsp.addInitParameter("fork", "false");
      jsp.addInitParameter("xpoweredBy", "false");
      jsp.setLoadOnStartup(3);
    } else {
      jsp = Tomcat.addServlet(ctx, "jsp", new NoJsp());
    }
    jsp.setOverridable(true);
    ctx.addServletMappingDecoded("*.jsp", "jsp");
    ctx.addServletMappingDecoded("*.jspx", "jsp");

    Tomcat.addDefaultMimeTypeMappings(ctx);
    for (String welcome : new String[] {"index.html", "index.htm", "index.jsp"}) {
      ctx.addWelcomeFile(welcome);
    }
  }

  /** Answers JSP requests when Jasper is missing, instead of letting their source be served. */
  static final class NoJsp extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.sendError(
          500, "JSP support (Jasper, tomcat-embed-jasper) is not installed in this server");
    }
  }
}
