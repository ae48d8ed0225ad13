package org.apache.catalina.ha;

/** Compile-time stand-in for Tomcat's catalina-ha type of this name; never packaged. */
public abstract class ClusterListener {}
