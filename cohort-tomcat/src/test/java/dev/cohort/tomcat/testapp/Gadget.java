package dev.cohort.tomcat.testapp;

import java.io.Serializable;

/** A serializable class that is not on the allow-list: must be rejected by a receiving node. */
public final class Gadget implements Serializable {
  private static final long serialVersionUID = 1L;
  public String payload = "calc";
}
