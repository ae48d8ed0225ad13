package dev.cohort.cli.farm.app;

import java.io.Serializable;

/** A session attribute whose class comes from the farmed WAR (never from the server). */
public final class Visits implements Serializable {
  private static final long serialVersionUID = 1L;
  private int count;

  public int next() {
    return ++count;
  }
}
