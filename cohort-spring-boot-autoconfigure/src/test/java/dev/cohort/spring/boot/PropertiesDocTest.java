package dev.cohort.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.json.JsonParserFactory;

/**
 * docs/spring-boot.md lists every property of the configuration metadata with its type, default and
 * description (regenerate the table from target/classes/META-INF/spring-configuration-metadata.json
 * when a property changes).
 */
class PropertiesDocTest {

  @Test
  void propertiesTable_listsEveryPropertyWithItsDefault() throws Exception {
    String doc = Files.readString(Path.of("..", "docs", "spring-boot.md"));
    try (InputStream in =
        getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      Map<String, Object> json =
          JsonParserFactory.getJsonParser().parseMap(new String(in.readAllBytes()));
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> props = (List<Map<String, Object>>) json.get("properties");
      assertThat(props).hasSizeGreaterThan(10);
      for (Map<String, Object> p : props) {
        Object dv = p.get("defaultValue");
        String shown =
            dv == null ? "(none)" : "".equals(dv) ? "(empty)" : "`" + String.valueOf(dv) + "`";
        assertThat(doc)
            .as("docs/spring-boot.md row of %s", p.get("name"))
            .contains("| `" + p.get("name") + "` | ")
            .contains(
                "| `"
                    + p.get("name")
                    + "` | "
                    + typeName(p)
                    + " | "
                    + shown
                    + " | "
                    + ((String) p.get("description")).replace("|", "\\|")
                    + " |");
      }
    }
  }

  private static String typeName(Map<String, Object> p) {
    String t = (String) p.get("type");
    return t.substring(t.lastIndexOf('.') + 1);
  }
}
