package dev.cohort.tomcat.migrate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

/** The little DOM reading the migration needs. */
final class Xml {
  private Xml() {}

  /** The child elements, in document order (text, comments and entity references skipped). */
  static List<Element> children(Element e) {
    List<Element> out = new ArrayList<>();
    for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element child) {
        out.add(child);
      }
    }
    return out;
  }

  /** The attributes, as the parser lists them. */
  static Map<String, String> attributes(Element e) {
    Map<String, String> out = new LinkedHashMap<>();
    NamedNodeMap all = e.getAttributes();
    for (int i = 0; i < all.getLength(); i++) {
      Node a = all.item(i);
      out.put(a.getNodeName(), a.getNodeValue());
    }
    return out;
  }

  /** {@code <Tag className="...">}, or {@code <Tag>} without a className. */
  static String describe(Element e) {
    String type = e.getAttribute("className");
    return "<" + e.getTagName() + (type.isEmpty() ? "" : " className=\"" + type + "\"") + ">";
  }

  /** The element with its attributes, without children, as one empty element. */
  static String render(Element e) {
    StringBuilder b = new StringBuilder("<").append(e.getTagName());
    for (Map.Entry<String, String> a : attributes(e).entrySet()) {
      b.append(' ').append(a.getKey()).append("=\"").append(escape(a.getValue())).append('"');
    }
    return b.append("/>").toString();
  }

  static String escape(String value) {
    return value
        .replace("&", "&amp;")
        .replace("\"", "&quot;")
        .replace("<", "&lt;")
        .replace(">", "&gt;");
  }
}
