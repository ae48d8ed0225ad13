package dev.cohort.example.cart;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A shop's session in miniature: a user logs in and fills a cart, both kept in the HTTP session.
 * With {@code cohort-spring-boot-starter} on the class path and a few {@code cohort.*} properties,
 * the session survives the crash of the instance that served it.
 */
@SpringBootApplication
public class CartApplication {
  public static void main(String[] args) {
    SpringApplication.run(CartApplication.class, args);
  }
}
