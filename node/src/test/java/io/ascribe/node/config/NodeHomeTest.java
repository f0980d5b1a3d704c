package io.ascribe.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ascribe.core.crypto.PrivateKey;
import io.ascribe.genesis.DevnetGenesis;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeHomeTest {
  @TempDir Path dir;
  private final PrivateKey key = DevnetGenesis.devAccounts().get(3);

  private NodeHome initialised() throws IOException {
    NodeHome home = new NodeHome(dir.resolve("home"));
    home.init(DevnetGenesis.create(), key);
    return home;
  }

  @Test
  void initThenLoadGivesBackTheGenesisKeyAndDefaults() throws IOException {
    NodeHome home = initialised();
    NodeHome.Contents contents = home.load();
    assertThat(contents.genesis()).isEqualTo(DevnetGenesis.create());
    assertThat(contents.validatorKey().address()).isEqualTo(key.address());
    assertThat(contents.settings()).isEqualTo(NodeSettings.DEFAULT);
    assertThat(Files.getPosixFilePermissions(home.keyFile()))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    assertThat(Files.isDirectory(home.dataDir())).isTrue();
  }

  @Test
  void initNeverOverwritesAHome() throws IOException {
    NodeHome home = initialised();
    String keyBefore = Files.readString(home.keyFile());
    assertThatThrownBy(() -> home.init(DevnetGenesis.create(), DevnetGenesis.devAccounts().get(4)))
        .isInstanceOf(FileAlreadyExistsException.class)
        .hasMessageContaining("already holds a node home");
    assertThat(Files.readString(home.keyFile())).isEqualTo(keyBefore);
  }

  @Test
  void settingsMayNameOnlyWhatDiffers() throws IOException {
    NodeHome home = initialised();
    Files.writeString(home.settingsFile(), "[rpc]\nport = 18645\n");
    NodeSettings settings = home.load().settings();
    assertThat(settings.rpc().port()).isEqualTo(18645);
    assertThat(settings.rpc().host()).isEqualTo("127.0.0.1");
    assertThat(settings.metrics()).isEqualTo(NodeSettings.Metrics.DEFAULT);
  }

  @Test
  void writtenSettingsAreReadBackAsTheyWere() throws IOException {
    NodeHome home = initialised();
    NodeSettings settings =
        new NodeSettings(
            new NodeSettings.Rpc("127.0.0.1", 18645),
            new NodeSettings.Metrics("127.0.0.1", -1),
            new NodeSettings.P2p(
                "127.0.0.1",
                26657,
                java.util.List.of(
                    DevnetGenesis.devAccounts().get(1).address() + "@127.0.0.1:26658",
                    DevnetGenesis.devAccounts().get(2).address() + "@localhost:26659")),
            null,
            new NodeSettings.Consensus(1000L, 250L, 400L, 200L, 400L, 200L));
    home.writeSettings(settings);
    assertThat(home.load().settings()).isEqualTo(settings);
    assertThat(home.load().settings().consensus().timeouts())
        .isEqualTo(new io.ascribe.consensus.TimeoutConfig(1000, 250, 400, 200, 400, 200));
  }

  @Test
  void consensusTimeoutsDefaultKeyByKeyAndABadOneIsNamed() throws IOException {
    NodeHome home = initialised();
    Files.writeString(home.settingsFile(), "[consensus]\ntimeout_propose_ms = 1500\n");
    assertThat(home.load().settings().consensus().timeouts())
        .isEqualTo(
            new io.ascribe.consensus.TimeoutConfig(
                1500,
                io.ascribe.consensus.TimeoutConfig.DEFAULT.proposeDelta(),
                io.ascribe.consensus.TimeoutConfig.DEFAULT.prevoteBase(),
                io.ascribe.consensus.TimeoutConfig.DEFAULT.prevoteDelta(),
                io.ascribe.consensus.TimeoutConfig.DEFAULT.precommitBase(),
                io.ascribe.consensus.TimeoutConfig.DEFAULT.precommitDelta()));
    Files.writeString(home.settingsFile(), "[consensus]\ntimeout_prevote_delta_ms = 0\n");
    assertThatThrownBy(home::load)
        .hasMessageContaining("node.toml")
        .hasMessageContaining("consensus.timeout_prevote_delta_ms must be at least 1 ms, got 0");
  }

  @Test
  void badSettingsNameTheFileAndTheField() throws IOException {
    NodeHome home = initialised();
    Files.writeString(home.settingsFile(), "[rpc]\nprot = 1\n");
    assertThatThrownBy(home::load)
        .hasMessageContaining("node.toml")
        .hasMessageContaining("unknown setting 'rpc.prot'");
    Files.writeString(home.settingsFile(), "[metrics]\nport = -2\n");
    assertThatThrownBy(home::load).hasMessageContaining("metrics.port must be a port");
    Files.writeString(home.settingsFile(), "[rpc]\nport = \"abc\"\n");
    assertThatThrownBy(home::load).hasMessageContaining("'rpc.port' has the wrong type");
    Files.writeString(home.settingsFile(), "[rpc\n");
    assertThatThrownBy(home::load).hasMessageContaining("node.toml");
  }

  @Test
  void aBridgeSectionNeedsTheEvmNodeUrlAndDefaultsTheRest() throws IOException {
    NodeHome home = initialised();
    assertThat(home.load().settings().bridge()).isNull();
    Files.writeString(home.settingsFile(), "[bridge]\nevm_rpc = \"http://127.0.0.1:8545\"\n");
    assertThat(home.load().settings().bridge())
        .isEqualTo(new NodeSettings.Bridge("http://127.0.0.1:8545", 2_000L, 0L));
    Files.writeString(home.settingsFile(), "[bridge]\npoll_interval_ms = 500\n");
    assertThatThrownBy(home::load)
        .hasMessageContaining("node.toml")
        .hasMessageContaining("bridge.evm_rpc must be the EVM node's JSON-RPC URL");
    Files.writeString(
        home.settingsFile(), "[bridge]\nevm_rpc = \"http://127.0.0.1:8545\"\nfrom_block = -1\n");
    assertThatThrownBy(home::load).hasMessageContaining("bridge.from_block must be 0 or more");
    Files.writeString(
        home.settingsFile(), "[bridge]\nevm_rpc = \"http://127.0.0.1:8545\"\naddress = \"0x1\"\n");
    assertThatThrownBy(home::load).hasMessageContaining("unknown setting 'bridge.address'");
  }

  @Test
  void aDamagedKeyOrGenesisIsNamed() throws IOException {
    NodeHome home = initialised();
    Files.writeString(home.keyFile(), "{\"privateKey\": \"0x12\"}");
    assertThatThrownBy(home::load)
        .hasMessageContaining("validator_key.json")
        .hasMessageContaining("32 bytes");
    Files.writeString(home.keyFile(), "{");
    assertThatThrownBy(home::load).hasMessageContaining("not valid JSON");
    Files.delete(home.keyFile());
    Files.writeString(home.genesisFile(), "{}");
    assertThatThrownBy(home::load)
        .hasMessageContaining("genesis.json")
        .hasMessageContaining("chainId");
  }

  @Test
  void aMissingHomeSaysHowToCreateOne() {
    assertThatThrownBy(() -> new NodeHome(dir.resolve("nothing")).load())
        .hasMessageContaining("ascribe init --home");
  }
}
