package dev.cohort.cli.farm;

import dev.cohort.cli.farm.app.VisitServlet;
import dev.cohort.cli.farm.app.Visits;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Builds the test WARs: the visit servlet's class files (from the test class path) + web.xml. */
final class Wars {
  private Wars() {}

  /**
   * A distributable WAR answering {@code version=<version>} on {@code /visit}, with a static file
   * {@code hello.txt} and a JSP {@code hello.jsp} (answering {@code jsp <version> 42}).
   */
  static Path visits(Path dir, String fileName, String version) throws IOException {
    return war(
        dir,
        fileName,
        webXml(version),
        "hello.txt",
        "hello " + version + "\n",
        "hello.jsp",
        "<%@ page contentType=\"text/plain\" %>jsp " + version + " <%= 6 * 7 %>\n");
  }

  /** A ZIP whose web.xml does not parse: Tomcat refuses to start it. */
  static Path broken(Path dir, String fileName) throws IOException {
    return war(dir, fileName, "<web-app><servlet>");
  }

  static String webXml(String version) {
    return """
        <?xml version="1.0" encoding="UTF-8"?>
        <web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0">
          <distributable/>
          <servlet>
            <servlet-name>visit</servlet-name>
            <servlet-class>%s</servlet-class>
            <init-param><param-name>version</param-name><param-value>%s</param-value></init-param>
          </servlet>
          <servlet-mapping><servlet-name>visit</servlet-name><url-pattern>/visit</url-pattern></servlet-mapping>
        </web-app>
        """
        .formatted(VisitServlet.class.getName(), version);
  }

  /** {@code files}: name, content, name, content, ... at the WAR's root. */
  private static Path war(Path dir, String fileName, String webXml, String... files)
      throws IOException {
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, ".build-", ".tmp");
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(tmp))) {
      put(zip, "WEB-INF/web.xml", webXml.getBytes(StandardCharsets.UTF_8));
      for (int i = 0; i + 1 < files.length; i += 2) {
        put(zip, files[i], files[i + 1].getBytes(StandardCharsets.UTF_8));
      }
      for (Class<?> c : new Class<?>[] {VisitServlet.class, Visits.class}) {
        String res = c.getName().replace('.', '/') + ".class";
        try (InputStream in = c.getClassLoader().getResourceAsStream(res)) {
          put(zip, "WEB-INF/classes/" + res, in.readAllBytes());
        }
      }
    }
    Path war = dir.resolve(fileName);
    Files.move(
        tmp,
        war,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    return war;
  }

  private static void put(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
    zip.putNextEntry(new ZipEntry(name));
    zip.write(bytes);
    zip.closeEntry();
  }
}
