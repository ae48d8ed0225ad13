package dev.cohort.tomcat.testapp;

/** Not Serializable: a distributable app must refuse it in setAttribute. */
public final class Unserializable {}
