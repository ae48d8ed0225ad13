package dev.cohort.example.cart;

import dev.cohort.tomcat.CohortCluster;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /login?user=NAME}, {@code POST /cart/add?item=ITEM}, {@code GET /cart}, {@code POST
 * /logout}. Answers JSON with the user's own name, items and the node that served the request. The
 * cart is a plain {@code ArrayList<String>} changed in place: Cohort notices the change without a
 * second {@code setAttribute}.
 */
@RestController
public class CartController {
  static final String USER = "user";
  static final String CART = "cart";

  private final CohortCluster cluster;

  public CartController(CohortCluster cluster) {
    this.cluster = cluster;
  }

  @PostMapping("/login")
  public Map<String, Object> login(HttpServletRequest request, @RequestParam("user") String user) {
    HttpSession session = request.getSession(true);
    request.changeSessionId(); // a new id at login: no session fixation
    session.setAttribute(USER, user);
    if (session.getAttribute(CART) == null) {
      session.setAttribute(CART, new ArrayList<String>());
    }
    return reply(session);
  }

  @PostMapping("/cart/add")
  public ResponseEntity<Map<String, Object>> add(
      HttpServletRequest request, @RequestParam("item") String item) {
    HttpSession session = request.getSession(false);
    if (session == null || session.getAttribute(USER) == null) {
      return notLoggedIn();
    }
    cart(session).add(item);
    return ResponseEntity.ok(reply(session));
  }

  @GetMapping("/cart")
  public ResponseEntity<Map<String, Object>> cart(HttpServletRequest request) {
    HttpSession session = request.getSession(false);
    if (session == null || session.getAttribute(USER) == null) {
      return notLoggedIn();
    }
    return ResponseEntity.ok(reply(session));
  }

  @PostMapping("/logout")
  public Map<String, Object> logout(HttpServletRequest request) {
    HttpSession session = request.getSession(false);
    if (session != null) {
      session.invalidate();
    }
    return Map.of("node", String.valueOf(cluster.nodeName()));
  }

  @SuppressWarnings("unchecked")
  private static List<String> cart(HttpSession session) {
    return (List<String>) session.getAttribute(CART);
  }

  private Map<String, Object> reply(HttpSession session) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("user", session.getAttribute(USER));
    out.put("items", cart(session));
    out.put("node", String.valueOf(cluster.nodeName()));
    return out;
  }

  private ResponseEntity<Map<String, Object>> notLoggedIn() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("error", "not logged in: POST /login?user=NAME first");
    out.put("node", String.valueOf(cluster.nodeName()));
    return ResponseEntity.status(HttpStatus.UNAUTHORIZED).body(out);
  }
}
