package io.tes4j.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Transfers#storageLocations()}: what service-info lists as storage. */
class StorageLocationsTest {
  @TempDir Path root;

  @Test
  void everyStorageWithFileAsTheRootOfTheFileSystemWhenNoRootIsSet() {
    try (Transfers transfers = Transfers.create(TransferSettings.builder().build())) {
      assertThat(transfers.storageLocations()).contains("file:///", "http://", "https://", "s3://", "ftp://");
    }
  }

  @Test
  void fileRootsReplaceTheFileSystemAndThePolicyLeavesOutSchemesItRefuses() {
    TransferSettings settings = TransferSettings.builder()
        .fileRoots(List.of(root))
        .policy(TransferPolicy.fromParameters(Map.of("allowSchemes", "file,s3")))
        .build();
    try (Transfers transfers = Transfers.create(settings)) {
      assertThat(transfers.storageLocations()).containsExactlyInAnyOrder(root.toUri().toString(), "s3://");
    }
  }
}
