package io.ascribe.node.executor;

import io.ascribe.core.ai.ModelFiles;
import io.ascribe.core.types.Hash;
import io.ascribe.ledger.ai.Model;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The base models an executor has on disk, found by the hashes the chain registered them with: a
 * job names its base model by id, the ledger's {@link Model} gives the config and weights hashes,
 * and the model directory under the models directory whose files hash to both is the one to load. A
 * directory is hashed once; the library looks again when a model it lacks is asked for, so a model
 * copied in while the node runs is found.
 */
final class ModelLibrary {
  private static final Logger LOG = LoggerFactory.getLogger(ModelLibrary.class);

  private record Key(Hash config, Hash weights) {}

  private final Path root;
  private final Map<Path, Key> hashed = new HashMap<>();

  ModelLibrary(Path root) {
    this.root = root;
  }

  Path root() {
    return root;
  }

  /** The directory holding {@code model}'s files, if this machine has it. */
  synchronized Optional<Path> find(Model model) {
    Key wanted = new Key(model.configHash(), model.weightsHash());
    Optional<Path> known = lookup(wanted);
    if (known.isPresent()) {
      return known;
    }
    for (Path dir : candidates()) {
      if (!hashed.containsKey(dir)) {
        hash(dir);
      }
    }
    return lookup(wanted);
  }

  private Optional<Path> lookup(Key wanted) {
    return hashed.entrySet().stream()
        .filter(e -> e.getValue().equals(wanted))
        .map(Map.Entry::getKey)
        .sorted()
        .findFirst();
  }

  private void hash(Path dir) {
    try {
      ModelFiles files = ModelFiles.in(dir);
      hashed.put(dir, new Key(files.configHash(), files.weightsHash()));
    } catch (IOException | RuntimeException e) {
      LOG.warn("Models: skipping {}: {}", dir, e.getMessage());
      // Remembered as unusable so that it is not hashed again on every lookup.
      hashed.put(dir, new Key(Hash.ZERO, Hash.ZERO));
    }
  }

  /** The models directory itself and each directory in it that holds a config.json. */
  private List<Path> candidates() {
    List<Path> dirs = new ArrayList<>();
    if (Files.isRegularFile(root.resolve(ModelFiles.CONFIG_FILE))) {
      dirs.add(root);
    }
    if (Files.isDirectory(root)) {
      try (Stream<Path> children = Files.list(root)) {
        children
            .filter(d -> Files.isRegularFile(d.resolve(ModelFiles.CONFIG_FILE)))
            .sorted()
            .forEach(dirs::add);
      } catch (IOException e) {
        LOG.warn("Models: cannot list {}: {}", root, e.getMessage());
      }
    }
    return dirs;
  }
}
