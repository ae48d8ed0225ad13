package org.apache.catalina.tribes;

/** Compile-time stand-in for Tomcat's catalina-tribes type of this name; never packaged. */
public interface Channel {}
