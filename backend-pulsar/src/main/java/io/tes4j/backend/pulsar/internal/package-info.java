/** The Pulsar backend's implementation: its REST client, job command lines and task runs. Internal. */
package io.tes4j.backend.pulsar.internal;
