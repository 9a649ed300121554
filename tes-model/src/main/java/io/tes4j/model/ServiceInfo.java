package io.tes4j.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.tes4j.model.internal.Collections2;
import java.util.List;

/**
 * What a TES server says about itself ({@code tesServiceInfo}): the GA4GH service-info 1.0 fields
 * plus the TES ones, {@code storage} and {@code tesResources_backend_parameters}.
 *
 * <p>The service-info fields are camelCase on the wire ({@code contactUrl}, {@code createdAt}) and
 * {@code tesResources_backend_parameters} is mixed case: the names are the spec's, not a mistake.
 *
 * @param id a unique id, reverse-domain form recommended (required by service-info)
 * @param name a human-readable name (required)
 * @param type the API it serves, {@code org.ga4gh:tes:1.1.0} (required)
 * @param description free text
 * @param organization who runs it (required)
 * @param contactUrl a URL, or {@code mailto:} address
 * @param documentationUrl where its documentation lives
 * @param createdAt when it was first deployed, RFC 3339, as written by the server
 * @param updatedAt when it was last updated, RFC 3339, as written by the server
 * @param environment e.g. prod, test, dev, staging
 * @param version the version of the service itself (required)
 * @param storage some of the storage locations it supports, e.g. {@code s3://bucket/}
 * @param tesResourcesBackendParameters every {@code backend_parameters} key it supports
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ServiceInfo(
    @JsonProperty("id") String id,
    @JsonProperty("name") String name,
    @JsonProperty("type") ServiceType type,
    @JsonProperty("description") String description,
    @JsonProperty("organization") Organization organization,
    @JsonProperty("contactUrl") String contactUrl,
    @JsonProperty("documentationUrl") String documentationUrl,
    @JsonProperty("createdAt") String createdAt,
    @JsonProperty("updatedAt") String updatedAt,
    @JsonProperty("environment") String environment,
    @JsonProperty("version") String version,
    @JsonProperty("storage") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> storage,
    @JsonProperty("tesResources_backend_parameters") @JsonInclude(JsonInclude.Include.NON_EMPTY)
        List<String> tesResourcesBackendParameters) {

  /** Copies the lists; {@code null} becomes empty. */
  public ServiceInfo {
    storage = Collections2.list(storage);
    tesResourcesBackendParameters = Collections2.list(tesResourcesBackendParameters);
  }

  /** A new builder, with {@code type} preset to {@link ServiceType#TES_1_1}. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these values. */
  public Builder toBuilder() {
    return new Builder()
        .id(id)
        .name(name)
        .type(type)
        .description(description)
        .organization(organization)
        .contactUrl(contactUrl)
        .documentationUrl(documentationUrl)
        .createdAt(createdAt)
        .updatedAt(updatedAt)
        .environment(environment)
        .version(version)
        .storage(storage)
        .tesResourcesBackendParameters(tesResourcesBackendParameters);
  }

  /**
   * The service type ({@code tesServiceType}).
   *
   * @param group {@code org.ga4gh} for GA4GH APIs
   * @param artifact {@code tes}
   * @param version the spec version, e.g. {@code 1.1.0}
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record ServiceType(
      @JsonProperty("group") String group,
      @JsonProperty("artifact") String artifact,
      @JsonProperty("version") String version) {

    /** {@code org.ga4gh:tes:1.1.0}, the type of a TES 1.1 server. */
    public static final ServiceType TES_1_1 = new ServiceType("org.ga4gh", "tes", "1.1.0");
  }

  /**
   * The organization running the service.
   *
   * @param name its name (required)
   * @param url its web site (required)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Organization(@JsonProperty("name") String name, @JsonProperty("url") String url) {}

  /** Builds {@link ServiceInfo}s. Not thread-safe. */
  public static final class Builder {
    private String id;
    private String name;
    private ServiceType type = ServiceType.TES_1_1;
    private String description;
    private Organization organization;
    private String contactUrl;
    private String documentationUrl;
    private String createdAt;
    private String updatedAt;
    private String environment;
    private String version;
    private List<String> storage = List.of();
    private List<String> tesResourcesBackendParameters = List.of();

    private Builder() {}

    public Builder id(String id) {
      this.id = id;
      return this;
    }

    public Builder name(String name) {
      this.name = name;
      return this;
    }

    public Builder type(ServiceType type) {
      this.type = type;
      return this;
    }

    public Builder description(String description) {
      this.description = description;
      return this;
    }

    public Builder organization(Organization organization) {
      this.organization = organization;
      return this;
    }

    public Builder organization(String name, String url) {
      return organization(new Organization(name, url));
    }

    public Builder contactUrl(String contactUrl) {
      this.contactUrl = contactUrl;
      return this;
    }

    public Builder documentationUrl(String documentationUrl) {
      this.documentationUrl = documentationUrl;
      return this;
    }

    public Builder createdAt(String createdAt) {
      this.createdAt = createdAt;
      return this;
    }

    public Builder updatedAt(String updatedAt) {
      this.updatedAt = updatedAt;
      return this;
    }

    public Builder environment(String environment) {
      this.environment = environment;
      return this;
    }

    public Builder version(String version) {
      this.version = version;
      return this;
    }

    public Builder storage(List<String> storage) {
      this.storage = Collections2.requireNoNulls(storage, "storage");
      return this;
    }

    public Builder tesResourcesBackendParameters(List<String> keys) {
      this.tesResourcesBackendParameters =
          Collections2.requireNoNulls(keys, "tesResourcesBackendParameters");
      return this;
    }

    public ServiceInfo build() {
      return new ServiceInfo(
          id,
          name,
          type,
          description,
          organization,
          contactUrl,
          documentationUrl,
          createdAt,
          updatedAt,
          environment,
          version,
          storage,
          tesResourcesBackendParameters);
    }
  }
}
