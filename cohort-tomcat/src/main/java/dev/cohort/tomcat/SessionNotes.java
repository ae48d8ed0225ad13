package dev.cohort.tomcat;

import dev.cohort.core.serial.AttributeCodec;
import dev.cohort.core.serial.AttributeException;
import jakarta.servlet.http.Cookie;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.catalina.authenticator.Constants;
import org.apache.catalina.authenticator.SavedRequest;
import org.apache.catalina.session.StandardSession;
import org.apache.juli.logging.Log;
import org.apache.juli.logging.LogFactory;
import org.apache.tomcat.util.buf.ByteChunk;

/**
 * The session notes a login in progress needs on another node (Tomcat bugs 64043, 66120): FORM
 * authentication's saved request, the session id it was issued for, and the user name. Other notes
 * stay local, the password above all: FORM authentication with {@code cache="false"} keeps it in
 * {@link Constants#SESS_PASSWORD_NOTE} to log in again on every request, and it is never
 * replicated, transferred or written to a store (nor taken from a record that carries one). Such an
 * application's users log in again after a fail-over. {@link SavedRequest} is mapped field by field
 * to JDK types, so the receiving side needs no Catalina class on its allow-list and no Catalina
 * version agreement.
 */
final class SessionNotes {
  private static final Log log = LogFactory.getLog(SessionNotes.class);

  /** The notes that leave the node; never {@link Constants#SESS_PASSWORD_NOTE}. */
  static final List<String> REPLICATED =
      List.of(Constants.FORM_REQUEST_NOTE, Constants.SESSION_ID_NOTE, Constants.SESS_USERNAME_NOTE);

  private SessionNotes() {}

  static Map<String, byte[]> capture(StandardSession s, AttributeCodec codec) {
    Map<String, byte[]> out = new HashMap<>();
    for (String name : REPLICATED) {
      Object v = s.getNote(name);
      if (v == null) {
        continue;
      }
      Object plain = v instanceof SavedRequest sr ? toMap(sr) : v;
      try {
        out.put(name, codec.serialize(name, plain));
      } catch (AttributeException e) {
        log.error("replication of a session note skipped: " + e.getMessage());
      }
    }
    return out;
  }

  static void restore(
      StandardSession s, Map<String, byte[]> notes, AttributeCodec codec, ClassLoader loader) {
    for (Map.Entry<String, byte[]> e : notes.entrySet()) {
      if (!REPLICATED.contains(e.getKey())) {
        continue;
      }
      try {
        Object v = codec.deserialize(e.getKey(), e.getValue(), loader);
        if (Constants.FORM_REQUEST_NOTE.equals(e.getKey()) && v instanceof Map<?, ?> m) {
          v = fromMap(m);
        }
        s.setNote(e.getKey(), v);
      } catch (AttributeException | ClassCastException ex) {
        log.error("a session note was dropped on take-over: " + ex.getMessage());
      }
    }
  }

  static HashMap<String, Object> toMap(SavedRequest r) {
    HashMap<String, Object> m = new HashMap<>();
    m.put("method", r.getMethod());
    m.put("requestURI", r.getRequestURI());
    m.put("decodedRequestURI", r.getDecodedRequestURI());
    m.put("queryString", r.getQueryString());
    m.put("contentType", r.getContentType());
    m.put("originalMaxInactiveInterval", r.getOriginalMaxInactiveIntervalOptional());
    ByteChunk body = r.getBody();
    if (body != null) {
      byte[] b = new byte[body.getLength()];
      System.arraycopy(body.getBytes(), body.getStart(), b, 0, b.length);
      m.put("body", b);
    }
    LinkedHashMap<String, ArrayList<String>> headers = new LinkedHashMap<>();
    for (Iterator<String> names = r.getHeaderNames(); names.hasNext(); ) {
      String name = names.next();
      ArrayList<String> values = new ArrayList<>();
      r.getHeaderValues(name).forEachRemaining(values::add);
      headers.put(name, values);
    }
    m.put("headers", headers);
    ArrayList<Locale> locales = new ArrayList<>();
    r.getLocales().forEachRemaining(locales::add);
    m.put("locales", locales);
    ArrayList<HashMap<String, String>> cookies = new ArrayList<>();
    for (Iterator<Cookie> it = r.getCookies(); it.hasNext(); ) {
      Cookie c = it.next();
      HashMap<String, String> cm = new HashMap<>(c.getAttributes());
      cm.put("$name", c.getName());
      cm.put("$value", c.getValue());
      cookies.add(cm);
    }
    m.put("cookies", cookies);
    return m;
  }

  @SuppressWarnings("unchecked")
  static SavedRequest fromMap(Map<?, ?> m) {
    SavedRequest r = new SavedRequest();
    r.setMethod((String) m.get("method"));
    r.setRequestURI((String) m.get("requestURI"));
    r.setDecodedRequestURI((String) m.get("decodedRequestURI"));
    r.setQueryString((String) m.get("queryString"));
    r.setContentType((String) m.get("contentType"));
    Integer max = (Integer) m.get("originalMaxInactiveInterval");
    if (max != null) {
      r.setOriginalMaxInactiveInterval(max);
    }
    byte[] body = (byte[]) m.get("body");
    if (body != null) {
      ByteChunk chunk = new ByteChunk();
      chunk.setBytes(body, 0, body.length);
      r.setBody(chunk);
    }
    Map<String, List<String>> headers = (Map<String, List<String>>) m.get("headers");
    if (headers != null) {
      headers.forEach((name, values) -> values.forEach(v -> r.addHeader(name, v)));
    }
    List<Locale> locales = (List<Locale>) m.get("locales");
    if (locales != null) {
      locales.forEach(r::addLocale);
    }
    List<Map<String, String>> cookies = (List<Map<String, String>>) m.get("cookies");
    if (cookies != null) {
      for (Map<String, String> cm : cookies) {
        Cookie c = new Cookie(cm.get("$name"), cm.get("$value"));
        cm.forEach(
            (k, v) -> {
              if (!k.startsWith("$")) {
                c.setAttribute(k, v);
              }
            });
        r.addCookie(c);
      }
    }
    return r;
  }
}
