package dev.cohort.spring.boot;

import dev.cohort.tomcat.CohortCluster;
import jakarta.servlet.http.HttpSession;
import java.util.Map;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** A one-endpoint Spring Boot application for the starter's tests: a counter in the session. */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(CounterApp.Counter.class)
class CounterApp {

  @RestController
  static class Counter {
    private final CohortCluster cluster;

    Counter(CohortCluster cluster) {
      this.cluster = cluster;
    }

    @GetMapping("/counter")
    Map<String, Object> count(HttpSession session) {
      Integer n = (Integer) session.getAttribute("count");
      int next = n == null ? 1 : n + 1;
      session.setAttribute("count", next);
      return Map.of("count", next, "node", String.valueOf(cluster.nodeName()));
    }
  }
}
