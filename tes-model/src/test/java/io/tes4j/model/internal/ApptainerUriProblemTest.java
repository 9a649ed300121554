package io.tes4j.model.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@link ImageReferences#apptainerUriProblem}, which the local and Pulsar backends both ask. */
class ApptainerUriProblemTest {
  private static String problem(String image) {
    return ImageReferences.apptainerUriProblem(image, "apptainer", "use docker://...").orElse(null);
  }

  @Test
  void registryAndLibraryImagesAreTaken() {
    assertThat(problem("docker://alpine:3.20")).isNull();
    assertThat(problem("oras://ghcr.io/team/tool:1.2")).isNull();
    assertThat(problem("library://sylabs/default/alpine:3.20")).isNull();
    assertThat(problem("shub://vsoch/hello-world")).isNull();
  }

  @Test
  void anotherSourceIsRefusedSayingWhatToUse() {
    assertThat(problem("file:///etc/shadow"))
        .isEqualTo("runtime=apptainer does not take 'file://' images (other sources would bypass the task policy"
            + " or reach outside the task); use docker://...");
    assertThat(problem("http://169.254.169.254/image.sif")).startsWith("runtime=apptainer does not take 'http://'");
  }

  @Test
  void whatFollowsTheSchemeMustBeAnImageAndNoOption() {
    assertThat(problem("docker://--privileged"))
        .isEqualTo("runtime=apptainer: 'docker://--privileged' is not a valid docker:// image; after the scheme comes "
            + ImageReferences.GRAMMAR);
    assertThat(problem("docker://Alpine Linux")).contains("is not a valid docker:// image");
    assertThat(problem("library://../../etc/passwd"))
        .isEqualTo("runtime=apptainer: 'library://../../etc/passwd' is not a valid library:// image; after the"
            + " scheme come letters, digits and . _ / : @ + -");
    assertThat(problem("shub://")).contains("is not a valid shub:// image");
    assertThat(problem("shub://x$(id)")).contains("is not a valid shub:// image");
  }

  @Test
  void anImageWithoutASchemeIsNotItsToJudge() {
    assertThatThrownBy(() -> problem("alpine:3.20")).isInstanceOf(IllegalArgumentException.class);
  }
}
