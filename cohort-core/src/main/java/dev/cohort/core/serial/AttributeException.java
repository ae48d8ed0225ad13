package dev.cohort.core.serial;

/**
 * An attribute value could not be serialized or deserialized. The message names the attribute, the
 * class and what to do; it never contains the value.
 */
public final class AttributeException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public AttributeException(String message, Throwable cause) {
    super(message, cause);
  }

  static AttributeException notSerializable(String name, String className) {
    return new AttributeException(
        "attribute '"
            + name
            + "' cannot be replicated: "
            + className
            + " is not Serializable — make it implement java.io.Serializable (with serializable"
            + " fields) or keep it out of the session of a distributable application",
        null);
  }

  static AttributeException rejected(String name, String className) {
    return new AttributeException(
        "attribute '"
            + name
            + "' rejected: class "
            + className
            + " is not on the deserialization allow-list — if values of this class belong in the"
            + " session, add "
            + className
            + " (or its package, a.b.*) to the '"
            + AttributeCodec.SETTING
            + "' setting; JDK classes that touch the network (java.net.URL, InetAddress) are left"
            + " out of the default list on purpose",
        null);
  }

  static AttributeException tooCostly(String name, String why) {
    return new AttributeException(
        "attribute '"
            + name
            + "' rejected: "
            + why
            + " — the deserializer's bounds keep a crafted value from tying up the node; keep"
            + " such structures out of the session (the bounds are listed in docs/tomcat.md)",
        null);
  }
}
