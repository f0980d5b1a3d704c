package io.ascribe.node.content;

/** A blob over {@link ContentStore#MAX_BLOB_BYTES}; nothing was stored. */
public final class ContentTooLargeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final long size;

  public ContentTooLargeException(long size) {
    super(
        "the content is "
            + size
            + " bytes, over the limit of "
            + ContentStore.MAX_BLOB_BYTES
            + " bytes (16 MiB) a node stores for one hash: split it into smaller records;"
            + " nothing was stored",
        null,
        false,
        false);
    this.size = size;
  }

  public long size() {
    return size;
  }
}
