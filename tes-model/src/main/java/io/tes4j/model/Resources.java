package io.tes4j.model;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import io.tes4j.model.internal.Collections2;
import io.tes4j.model.internal.WholeNumberSerializer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a task asks of the machine ({@code tesResources}).
 *
 * <p>{@code cpu_cores} is an int32 in TES 1.1 and becomes a number in the coming 1.2, which allows
 * fractions such as {@code 0.5}. It is held as a {@code Double} so that both read without loss, and
 * a whole value is written back as a JSON integer ({@code 4}, not {@code 4.0}) for 1.1 servers.
 *
 * <p>{@code backend_parameters} keys are case-insensitive by the spec; they are kept as written.
 *
 * @param cpuCores requested CPU cores, possibly fractional
 * @param preemptible whether the task may run on preemptible (spot) capacity
 * @param ramGb requested RAM in GB
 * @param diskGb requested disk in GB
 * @param zones compute zones; their meaning depends on the backend
 * @param backendParameters backend-specific settings, e.g. {@code VmSize}
 * @param backendParametersStrict when true, the backend should fail the task on unsupported keys
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Resources(
    @JsonProperty("cpu_cores") @JsonAlias("cpuCores") @JsonSerialize(using = WholeNumberSerializer.class)
        Double cpuCores,
    @JsonProperty("preemptible") Boolean preemptible,
    @JsonProperty("ram_gb") @JsonAlias("ramGb") Double ramGb,
    @JsonProperty("disk_gb") @JsonAlias("diskGb") Double diskGb,
    // The spec's own example writes zones as a single string; read that as a one-element list.
    @JsonProperty("zones")
        @JsonInclude(JsonInclude.Include.NON_EMPTY)
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
        List<String> zones,
    @JsonProperty("backend_parameters") @JsonAlias("backendParameters") @JsonInclude(JsonInclude.Include.NON_EMPTY)
        Map<String, String> backendParameters,
    @JsonProperty("backend_parameters_strict") @JsonAlias("backendParametersStrict")
        Boolean backendParametersStrict) {

  /** Copies the collections; {@code null} collections become empty. */
  public Resources {
    zones = Collections2.list(zones);
    backendParameters = Collections2.stringMap(backendParameters);
  }

  /** A new, empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these resources. */
  public Builder toBuilder() {
    return new Builder()
        .cpuCores(cpuCores)
        .preemptible(preemptible)
        .ramGb(ramGb)
        .diskGb(diskGb)
        .zones(zones)
        .backendParameters(backendParameters)
        .backendParametersStrict(backendParametersStrict);
  }

  /** Builds {@link Resources}. Not thread-safe. */
  public static final class Builder {
    private Double cpuCores;
    private Boolean preemptible;
    private Double ramGb;
    private Double diskGb;
    private List<String> zones = List.of();
    private final Map<String, String> backendParameters = new LinkedHashMap<>();
    private Boolean backendParametersStrict;

    private Builder() {}

    public Builder cpuCores(Double cpuCores) {
      this.cpuCores = cpuCores;
      return this;
    }

    public Builder preemptible(Boolean preemptible) {
      this.preemptible = preemptible;
      return this;
    }

    public Builder ramGb(Double ramGb) {
      this.ramGb = ramGb;
      return this;
    }

    public Builder diskGb(Double diskGb) {
      this.diskGb = diskGb;
      return this;
    }

    public Builder zones(List<String> zones) {
      this.zones = Collections2.requireNoNulls(zones, "zones");
      return this;
    }

    public Builder zones(String... zones) {
      return zones(java.util.Arrays.asList(zones));
    }

    /** Adds or replaces one backend parameter. */
    public Builder backendParameter(String key, String value) {
      backendParameters.put(
          Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** Replaces all backend parameters. */
    public Builder backendParameters(Map<String, String> parameters) {
      Collections2.requireNoNulls(parameters, "backendParameters");
      backendParameters.clear();
      backendParameters.putAll(parameters);
      return this;
    }

    public Builder backendParametersStrict(Boolean strict) {
      this.backendParametersStrict = strict;
      return this;
    }

    public Resources build() {
      return new Resources(
          cpuCores, preemptible, ramGb, diskGb, zones, backendParameters, backendParametersStrict);
    }
  }
}
