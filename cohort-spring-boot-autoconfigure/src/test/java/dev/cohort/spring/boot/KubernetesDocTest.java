package dev.cohort.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.boot.json.JsonParserFactory;
import org.yaml.snakeyaml.Yaml;

/**
 * The manifest in docs/kubernetes.md parses, has the parts the page promises, and every {@code
 * COHORT_*} variable it sets is a real property of the starter.
 */
class KubernetesDocTest {

  @Test
  @SuppressWarnings("unchecked")
  void manifest_hasHeadlessServiceReadinessPreStopAndRealProperties() throws Exception {
    String doc = Files.readString(Path.of("..", "docs", "kubernetes.md"));
    int start = doc.indexOf("```yaml\n");
    int end = doc.indexOf("```\n", start + 8);
    assertThat(start).as("a yaml block in docs/kubernetes.md").isPositive();
    List<Map<String, Object>> docs = new ArrayList<>();
    for (Object o : new Yaml().loadAll(doc.substring(start + 8, end))) {
      docs.add((Map<String, Object>) o);
    }

    Map<String, Object> headless =
        docs.stream()
            .filter(d -> "Service".equals(d.get("kind")))
            .filter(d -> "None".equals(((Map<String, Object>) d.get("spec")).get("clusterIP")))
            .findFirst()
            .orElseThrow();
    assertThat(((Map<String, Object>) headless.get("spec")).get("publishNotReadyAddresses"))
        .isEqualTo(true);
    String service = (String) ((Map<String, Object>) headless.get("metadata")).get("name");

    Map<String, Object> deployment =
        docs.stream().filter(d -> "Deployment".equals(d.get("kind"))).findFirst().orElseThrow();
    Map<String, Object> container =
        ((List<Map<String, Object>>) at(deployment, "spec", "template", "spec").get("containers"))
            .get(0);
    assertThat(at(container, "readinessProbe", "httpGet").get("path")).isEqualTo("/cohort/health");
    assertThat(at(container, "lifecycle", "preStop")).isNotEmpty();

    Set<String> properties = starterProperties();
    Map<String, Object> env = new java.util.HashMap<>();
    for (Map<String, Object> e : (List<Map<String, Object>>) container.get("env")) {
      env.put((String) e.get("name"), e.containsKey("value") ? e.get("value") : e.get("valueFrom"));
    }
    for (String name : env.keySet()) {
      if (name.startsWith("COHORT_")) {
        String property = name.toLowerCase(Locale.ROOT).replace('_', '.');
        assertThat(properties)
            .as("%s maps to a cohort.* property", name)
            .anyMatch(p -> p.replace('-', '.').equals(property));
      }
    }
    assertThat((String) env.get("COHORT_DISCOVERY")).startsWith("dns:" + service + ".");
    assertThat(env.get("COHORT_SECRET").toString()).contains("secretKeyRef");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> at(Map<String, Object> m, String... path) {
    Map<String, Object> cur = m;
    for (String p : path) {
      cur = (Map<String, Object>) cur.get(p);
      assertThat(cur).as(String.join(".", path)).isNotNull();
    }
    return cur;
  }

  @SuppressWarnings("unchecked")
  private Set<String> starterProperties() throws Exception {
    try (InputStream in =
        getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      Map<String, Object> json =
          JsonParserFactory.getJsonParser().parseMap(new String(in.readAllBytes()));
      Set<String> out = new HashSet<>();
      for (Map<String, Object> p : (List<Map<String, Object>>) json.get("properties")) {
        out.add((String) p.get("name"));
      }
      return out;
    }
  }
}
