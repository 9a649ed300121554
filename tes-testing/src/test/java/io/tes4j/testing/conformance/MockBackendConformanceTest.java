package io.tes4j.testing.conformance;

import io.tes4j.spi.Backend;
import io.tes4j.testing.MockBackend;

/**
 * The kit on {@link MockBackend}, which runs nothing: {@link ScriptedMock} scripts each scenario
 * of the kit with the outcome a real backend would reach.
 */
class MockBackendConformanceTest extends BackendConformance {

  @Override
  protected Backend newBackend() {
    return ScriptedMock.create();
  }

  /** A closed mock's tasks live on in the one {@link MockBackend#reopen()} gives. */
  @Override
  protected Backend restartedBackend(Backend closed) {
    return ((MockBackend) closed).reopen();
  }
}
