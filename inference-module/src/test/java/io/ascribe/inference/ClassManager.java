package io.ascribe.inference;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A libtorch array manager open for the whole of one test class: registered as a static
 * {@code @RegisterExtension} field, it opens before the class's first test and closes, with every
 * array still attached to it, after its last: the open-in-{@code @BeforeAll},
 * close-in-{@code @AfterAll} pair that each of this module's test classes used to carry.
 */
public final class ClassManager implements BeforeAllCallback, AfterAllCallback {
  private NDManager manager;

  @Override
  public void beforeAll(ExtensionContext context) {
    manager = NDManager.newBaseManager(Torch.ENGINE);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    // Null when libtorch failed to start in beforeAll, whose error is then the one reported.
    if (manager != null) {
      manager.close();
      manager = null;
    }
  }

  /** The open manager; only between the class's first and last test. */
  public NDManager get() {
    if (manager == null) {
      throw new IllegalStateException("the class's manager is open only while its tests run");
    }
    return manager;
  }
}
