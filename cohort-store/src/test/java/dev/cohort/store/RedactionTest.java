package dev.cohort.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedactionTest {

  private static void masks(String in, String out) {
    assertThat(Redaction.of(in)).as(in).isEqualTo(out);
  }

  @Test
  void userInfoPasswords_areMasked_theUserStays() {
    masks("jdbc:postgresql://app:s3cret@db:5432/app", "jdbc:postgresql://app:***@db:5432/app");
    masks(
        "jdbc:mysql://app:s3cret@db:3306/app?ssl=true",
        "jdbc:mysql://app:***@db:3306/app?ssl=true");
    masks("jdbc:mariadb://app:p@ss:w@db/app", "jdbc:mariadb://app:***@db/app");
    masks("jdbc:postgresql://app@db/app", "jdbc:postgresql://app@db/app");
  }

  @Test
  void passwordParameters_areMasked_inEveryDialectsSyntax_caseInsensitively() {
    masks(
        "jdbc:postgresql://db:5432/app?user=app&password=s3cret&ssl=true",
        "jdbc:postgresql://db:5432/app?user=app&password=***&ssl=true");
    masks("jdbc:postgresql://db/app?PassWord=s3cret", "jdbc:postgresql://db/app?PassWord=***");
    masks(
        "jdbc:postgresql://db/app?sslpassword=k3y&sslmode=require",
        "jdbc:postgresql://db/app?sslpassword=***&sslmode=require");
    masks(
        "jdbc:mariadb://db:3306/app?user=app&password=s3cret",
        "jdbc:mariadb://db:3306/app?user=app&password=***");
    masks(
        "jdbc:mysql://address=(host=db)(port=3306)(user=app)(password=s3cret)/app",
        "jdbc:mysql://address=(host=db)(port=3306)(user=app)(password=***)/app");
    masks(
        "jdbc:h2:file:/data/db;USER=sa;PASSWORD=s3cret;CIPHER=AES",
        "jdbc:h2:file:/data/db;USER=sa;PASSWORD=***;CIPHER=AES");
    masks("jdbc:h2:file:/data/db;PASSWORD=filepw userpw", "jdbc:h2:file:/data/db;PASSWORD=***");
    masks(
        "jdbc:sqlserver://db;user=app;pwd=s3cret;passwd=x;secret=y;token=z;accessToken=t",
        "jdbc:sqlserver://db;user=app;pwd=***;passwd=***;secret=***;token=***;accessToken=***");
    masks(
        "jdbc:postgresql://db/app?client_secret=s3cret",
        "jdbc:postgresql://db/app?client_secret=***");
  }

  @Test
  void specsWithoutCredentials_areUnchanged() {
    for (String s :
        new String[] {
          "jdbc:postgresql://db:5432/app?user=app&cohort.poolSize=4",
          "jdbc:postgresql://db:5432/app?user=a@b.example",
          "jdbc:h2:file:/var/lib/cohort/sessions;WRITE_DELAY=0",
          "file:/var/lib/cohort/sessions",
          "store: the store spec is empty"
        }) {
      masks(s, s);
    }
    assertThat(Redaction.of(null)).isNull();
  }

  @Test
  void urlsQuotedInsideMessages_areMasked() {
    masks(
        "Failed to get driver instance for jdbcUrl=jdbc:mysql://app:s3cret@db/app?password=x",
        "Failed to get driver instance for jdbcUrl=jdbc:mysql://app:***@db/app?password=***");
    masks("connect failed; password=s3cret; retrying", "connect failed; password=***; retrying");
  }
}
