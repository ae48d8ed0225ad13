package dev.cohort.tomcat.migrate;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * {@code cohort migrate}: reads a Tomcat server.xml and, for every {@code <Cluster>} in it
 * (Tomcat's {@code SimpleTcpCluster}, or a {@code CohortCluster} that still carries Tomcat's nested
 * elements), writes the equivalent {@code CohortCluster} element, with a comment that says what was
 * carried over, mapped or dropped, and why.
 *
 * <p>Only what the file sets explicitly is carried over; where an absent setting meant something
 * else in Tomcat than it does in Cohort (the manager, the send options, the receiver's address), a
 * note says so. The XML is read without loading DTDs or external entities. Stateless.
 */
public final class ServerXmlMigration {
  /**
   * One {@code <Cluster>} of the file, migrated.
   *
   * @param where the element's place: its ancestors and the file
   * @param attributes CohortCluster's attributes, className first
   * @param children nested elements kept as they were (lifecycle listeners)
   * @param notes what was kept, mapped or dropped, and why: one line each
   */
  public record Migrated(
      String where, Map<String, String> attributes, List<String> children, List<String> notes) {
    public Migrated {
      attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
      children = List.copyOf(children);
      notes = List.copyOf(notes);
    }

    /** The CohortCluster element, one attribute a line. */
    public String element() {
      StringBuilder b = new StringBuilder("<Cluster");
      boolean first = true;
      for (Map.Entry<String, String> a : attributes.entrySet()) {
        b.append(first ? " " : "\n         ").append(a.getKey()).append("=\"");
        b.append(Xml.escape(a.getValue())).append('"');
        first = false;
      }
      if (children.isEmpty()) {
        return b.append("/>").toString();
      }
      b.append(">");
      children.forEach(c -> b.append("\n  ").append(c));
      return b.append("\n</Cluster>").toString();
    }

    /** The notes as an XML comment, then the element: paste-able into server.xml. */
    public String render() {
      StringBuilder b = new StringBuilder("<!-- cohort migrate: <Cluster> in ").append(where);
      for (String n : notes) {
        b.append("\n     ").append(n.replace("--", "- -"));
      }
      return b.append("\n-->\n").append(element()).toString();
    }
  }

  private ServerXmlMigration() {}

  /**
   * Migrates every {@code <Cluster>} of {@code file}, in document order; empty when it has none.
   *
   * @throws IllegalArgumentException naming the file when it cannot be read or is not well-formed
   */
  public static List<Migrated> of(Path file) {
    Document doc;
    try (InputStream in = Files.newInputStream(file)) {
      doc = parser().parse(in, file.toUri().toString());
    } catch (SAXParseException e) {
      throw new IllegalArgumentException(
          file
              + " is not well-formed XML (line "
              + e.getLineNumber()
              + ", column "
              + e.getColumnNumber()
              + "): "
              + e.getMessage()
              + " — give Tomcat's conf/server.xml",
          e);
    } catch (IOException | SAXException e) {
      throw new IllegalArgumentException(
          "cannot read " + file + ": " + e + " — give the path of Tomcat's conf/server.xml", e);
    }
    List<Migrated> out = new ArrayList<>();
    NodeList clusters = doc.getElementsByTagName("Cluster");
    for (int i = 0; i < clusters.getLength(); i++) {
      Element cluster = (Element) clusters.item(i);
      out.add(ClusterMigration.of(cluster, where(cluster, file)));
    }
    return out;
  }

  /** "Server/Service[Catalina]/Engine[Catalina] of conf/server.xml". */
  private static String where(Element cluster, Path file) {
    List<String> path = new ArrayList<>();
    for (Node n = cluster.getParentNode(); n instanceof Element e; n = e.getParentNode()) {
      String name = e.getAttribute("name");
      path.add(0, e.getTagName() + (name.isEmpty() ? "" : "[" + name + "]"));
    }
    return String.join("/", path) + " of " + file;
  }

  private static DocumentBuilder parser() {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
      f.setFeature("http://xml.org/sax/features/external-general-entities", false);
      f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
      f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
      f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
      f.setXIncludeAware(false);
      f.setExpandEntityReferences(false);
      DocumentBuilder b = f.newDocumentBuilder();
      b.setErrorHandler(
          new ErrorHandler() {
            @Override
            public void warning(SAXParseException e) {
              // nothing the migration needs
            }

            @Override
            public void error(SAXParseException e) throws SAXParseException {
              throw e;
            }

            @Override
            public void fatalError(SAXParseException e) throws SAXParseException {
              throw e;
            }
          });
      return b;
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException("the JDK's XML parser lacks a safety feature: " + e, e);
    }
  }
}
