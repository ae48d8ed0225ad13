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
            + " is not on the deserialization allow-list — if it is your application's class, add"
            + " it or its package to the '"
            + AttributeCodec.SETTING
            + "' setting",
        null);
  }
}
