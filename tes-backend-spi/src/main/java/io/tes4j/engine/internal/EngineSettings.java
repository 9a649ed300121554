package io.tes4j.engine.internal;

import io.tes4j.store.JdbcTaskStore;
import io.tes4j.store.MemoryTaskStore;
import io.tes4j.store.TaskStore;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The engine's own parameters among those of a backend URI ({@code mock:?store=...&maxRunning=4})
 * or of {@code TesEngine.Builder.parameter}: what they are, how their values are read, and the URI
 * without them, for the backend. Every error is an {@link IllegalArgumentException} whose message
 * names the parameter, says what was wrong and what is allowed, and holds no password. Internal.
 */
public final class EngineSettings {
  /** Where tasks are kept: {@code memory} or a JDBC URL. */
  public static final String STORE = "store";

  /** The user of a JDBC store. */
  public static final String STORE_USER = "store.user";

  /** The password of a JDBC store; never shown. */
  public static final String STORE_PASSWORD = "store.password";

  /** At most so many tasks admitted at once. */
  public static final String MAX_RUNNING = "maxRunning";

  /** At most so many tasks waiting QUEUED; a create beyond them is refused, retryable. */
  public static final String MAX_QUEUED = "maxQueued";

  /** {@code tagLimit.KEY=VALUE:MAX[,VALUE:MAX...]}. */
  public static final String TAG_LIMIT = "tagLimit.";

  /** The names as messages list them. */
  public static final List<String> NAMES =
      List.of(MAX_QUEUED, MAX_RUNNING, STORE, STORE_PASSWORD, STORE_USER, TAG_LIMIT + "KEY");

  private static final Set<String> PLAIN = Set.of(STORE, STORE_USER, STORE_PASSWORD, MAX_RUNNING, MAX_QUEUED);
  private static final Pattern LIMIT = Pattern.compile("(.*):(\\d+)");
  private static final String STORE_ALLOWED =
      "memory (the default), jdbc:sqlite:PATH or jdbc:postgresql://HOST:PORT/DB";

  /** The one parameter of a memory store: at most so many ended tasks kept. */
  public static final String KEEP_ENDED = "keepEnded";

  private static final Pattern MEMORY = Pattern.compile("(?i)memory(?::\\?(.*))?");

  private EngineSettings() {}

  /**
   * Whether {@code name} is one of the engine's parameters rather than the backend's.
   *
   * @param name a parameter's name, as given (names are case-sensitive)
   * @return true for {@code store}, {@code store.user}, {@code store.password}, {@code maxRunning},
   *     {@code maxQueued} and {@code tagLimit.*}
   */
  public static boolean isEngineParameter(String name) {
    return PLAIN.contains(name) || name.startsWith(TAG_LIMIT);
  }

  /**
   * The engine's parameters of {@code parameters}, in their order.
   *
   * @param parameters the parameters of a backend URI and of the builder
   * @return those {@link #isEngineParameter} accepts
   */
  public static Map<String, String> engineParameters(Map<String, String> parameters) {
    Map<String, String> out = new LinkedHashMap<>();
    parameters.forEach((name, value) -> {
      if (isEngineParameter(name)) {
        out.put(name, value);
      }
    });
    return out;
  }

  /**
   * The backend's parameters of {@code parameters}, in their order.
   *
   * @param parameters the parameters of a backend URI and of the builder
   * @return those {@link #isEngineParameter} refuses
   */
  public static Map<String, String> backendParameters(Map<String, String> parameters) {
    Map<String, String> out = new LinkedHashMap<>();
    parameters.forEach((name, value) -> {
      if (!isEngineParameter(name)) {
        out.put(name, value);
      }
    });
    return out;
  }

  /**
   * Reads {@code maxRunning}.
   *
   * @param text the value, e.g. {@code 8}
   * @return the number, at least 1
   * @throws IllegalArgumentException when it is not a whole number of at least 1
   */
  public static int maxRunning(String text) {
    return count(MAX_RUNNING, text, 8);
  }

  /**
   * Reads {@code maxQueued}.
   *
   * @param text the value, e.g. {@code 10000}
   * @return the number, at least 1
   * @throws IllegalArgumentException when it is not a whole number of at least 1
   */
  public static int maxQueued(String text) {
    return count(MAX_QUEUED, text, 10000);
  }

  private static int count(String name, String text, int example) {
    String trimmed = text.trim();
    if (trimmed.matches("\\d{1,10}")) {
      long value = Long.parseLong(trimmed);
      if (value >= 1 && value <= Integer.MAX_VALUE) {
        return (int) value;
      }
    }
    throw new IllegalArgumentException(
        name + " must be a whole number of tasks from 1 to " + Integer.MAX_VALUE
            + " (e.g. " + name + "=" + example + "), was '" + text + "'");
  }

  /**
   * Reads one {@code tagLimit.KEY} parameter: {@code VALUE:MAX}, or several separated by commas.
   * The last colon of each part separates the tag value (which may hold colons, or be empty) from
   * the limit.
   *
   * @param name the parameter's name, {@code tagLimit.KEY}
   * @param text its value, e.g. {@code write:2} or {@code write:2,read:8}
   * @return the limits, in the order given
   * @throws IllegalArgumentException when the key is missing, a part is not {@code VALUE:MAX}, a
   *     limit is not at least 1, a value is limited twice, or a value holds {@code =} (a second
   *     {@code KEY=} written into the parameter, most likely)
   */
  public static List<TagLimit> tagLimits(String name, String text) {
    String key = name.substring(TAG_LIMIT.length());
    if (key.isEmpty()) {
      throw new IllegalArgumentException(
          "the parameter " + name + " names no tag key: write tagLimit.KEY=VALUE:MAX, e.g. tagLimit.lts=write:2");
    }
    List<TagLimit> limits = new ArrayList<>();
    Set<String> values = new TreeSet<>();
    for (String part : text.split(",", -1)) {
      Matcher matcher = LIMIT.matcher(part.trim());
      long max = matcher.matches() && matcher.group(2).length() <= 10 ? Long.parseLong(matcher.group(2)) : 0;
      if (max < 1 || max > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            name + " must be VALUE:MAX, or several separated by commas, with MAX a whole number of at least 1"
                + " (e.g. " + name + "=write:2,read:8), was '" + text + "'");
      }
      String value = matcher.group(1);
      if (value.indexOf('=') >= 0) {
        // Almost always a second KEY=VALUE written into this parameter (tagLimit.flow=a:2,flow=b:1),
        // which would otherwise limit a value no task has, silently.
        String hint = value.startsWith(key + "=")
            ? "write the key once: " + name + "=" + text.replace(key + "=", "")
            : "to limit another tag key, add a parameter tagLimit." + value.substring(0, value.indexOf('='))
                + "=" + value.substring(value.indexOf('=') + 1) + ":" + max;
        throw new IllegalArgumentException(
            name + " has the tag value '" + value + "', which holds '=': " + hint
                + " (a value that really holds '=' can be limited with TesEngine.Builder.tagLimit(key, value, max))");
      }
      if (!values.add(value)) {
        throw new IllegalArgumentException(name + " limits the value '" + value + "' twice, in '" + text + "'");
      }
      limits.add(new TagLimit(key, value, (int) max));
    }
    return limits;
  }

  /**
   * Where tasks are kept: {@code memory} or a SQLite or PostgreSQL JDBC URL, with the credentials
   * of the latter. Its {@link #toString()} shows no password.
   *
   * @param spec {@code memory} (any case), {@code memory:?keepEnded=N} (at most N ended tasks kept,
   *     those that ended first dropped) or a JDBC URL
   * @param user the database user, or {@code null}
   * @param password the password, or {@code null}
   */
  public record StoreSpec(String spec, String user, String password) {
    /**
     * Checks the spec's form; opens nothing.
     *
     * @throws IllegalArgumentException when {@code spec} is neither {@code memory} nor a SQLite or
     *     PostgreSQL JDBC URL, or when credentials are given with {@code memory}
     */
    public StoreSpec {
      if (spec == null) {
        throw new IllegalArgumentException(STORE + " must be " + STORE_ALLOWED + ", was not set");
      }
      String lower = spec.trim().toLowerCase(Locale.ROOT);
      if (lower.startsWith("memory")) {
        keepEnded(spec); // checks its form
        if (user != null || password != null) {
          throw new IllegalArgumentException(
              (user != null ? STORE_USER : STORE_PASSWORD) + " is set, but " + STORE + " is memory:"
                  + " the user and password are those of a JDBC store (" + STORE_ALLOWED + ")");
        }
      } else if (!lower.startsWith("jdbc:sqlite:") && !lower.startsWith("jdbc:postgresql:")) {
        throw new IllegalArgumentException(
            STORE + " must be " + STORE_ALLOWED + ", was '" + JdbcTaskStore.redactUrl(spec) + "'");
      }
    }

    /**
     * Whether the spec is {@code memory}.
     *
     * @return true for an in-memory store
     */
    public boolean memory() {
      return MEMORY.matcher(spec.trim()).matches();
    }

    /**
     * The most ended tasks a memory store keeps.
     *
     * @return {@code keepEnded} of {@code memory:?keepEnded=N}; {@link Long#MAX_VALUE} (every task)
     *     for {@code memory} and for a JDBC store
     */
    public long keepEnded() {
      return memory() ? keepEnded(spec) : Long.MAX_VALUE;
    }

    private static long keepEnded(String spec) {
      Matcher memory = MEMORY.matcher(spec.trim());
      if (!memory.matches()) {
        throw new IllegalArgumentException(
            STORE + " must be " + STORE_ALLOWED + ", was '" + JdbcTaskStore.redactUrl(spec) + "'");
      }
      String query = memory.group(1);
      if (query == null) {
        return Long.MAX_VALUE;
      }
      int equals = query.indexOf('=');
      if (equals < 0 || !query.substring(0, equals).equals(KEEP_ENDED)) {
        throw new IllegalArgumentException(STORE + " " + spec.trim() + ": a memory store takes one parameter, "
            + KEEP_ENDED + "=N (the most ended tasks kept, a whole number of at least 1), not '" + query + "'");
      }
      String value = query.substring(equals + 1);
      long keep;
      try {
        keep = Long.parseLong(value);
      } catch (NumberFormatException e) {
        keep = 0;
      }
      if (keep < 1) {
        throw new IllegalArgumentException(STORE + " " + spec.trim() + ": " + KEEP_ENDED
            + " must be a whole number of at least 1, was '" + value + "'");
      }
      return keep;
    }

    /**
     * Opens the store.
     *
     * @return a new {@link MemoryTaskStore}, or the {@link JdbcTaskStore} at the URL
     * @throws IllegalArgumentException when the driver is not on the class path or a SQLite file's
     *     directory does not exist
     * @throws io.tes4j.store.TaskStoreException when the database cannot be reached, or holds a
     *     newer schema
     */
    public TaskStore open() {
      return memory() ? new MemoryTaskStore(keepEnded()) : JdbcTaskStore.open(spec.trim(), user, password);
    }

    /** The spec without any password; the user, if any. */
    @Override
    public String toString() {
      return memory()
          ? (keepEnded() == Long.MAX_VALUE ? "memory" : "memory (at most " + keepEnded() + " ended tasks kept)")
          : JdbcTaskStore.redactUrl(spec) + (user != null ? " (user " + user + ")" : "")
              + (password != null ? " (password ****)" : "");
    }
  }

  /**
   * Reads the store's parameters: {@code store}, {@code store.user} and {@code store.password}.
   *
   * @param parameters the engine's parameters
   * @return the store to open, or {@code null} when none of the three is set
   * @throws IllegalArgumentException when a value is wrong, or the user or password is given
   *     without a JDBC store
   */
  public static StoreSpec store(Map<String, String> parameters) {
    String spec = parameters.get(STORE);
    String user = parameters.get(STORE_USER);
    String password = parameters.get(STORE_PASSWORD);
    if (spec == null && user == null && password == null) {
      return null;
    }
    if (spec == null) {
      throw new IllegalArgumentException(
          (user != null ? STORE_USER : STORE_PASSWORD) + " is set without " + STORE + ": set " + STORE
              + " to the JDBC URL of the database (jdbc:postgresql://HOST:PORT/DB or jdbc:sqlite:PATH)");
    }
    return new StoreSpec(spec, user, password);
  }

  /**
   * {@code uri} without the engine's parameters in its query, for the backend: a backend that reads
   * its URI never sees the store's password. The other parameters keep their raw form and order;
   * the {@code ?} stays, so {@code mock:?store=...} becomes {@code mock:?}.
   *
   * @param uri a backend URI
   * @return the URI without the engine's parameters ({@code uri} itself when it has none)
   */
  public static URI withoutEngineParameters(URI uri) {
    String text = uri.toString();
    int hash = text.indexOf('#');
    int mark = text.indexOf('?');
    if (mark < 0 || hash >= 0 && hash < mark) {
      return uri;
    }
    int end = hash < 0 ? text.length() : hash;
    StringJoiner kept = new StringJoiner("&");
    boolean removed = false;
    for (String pair : text.substring(mark + 1, end).split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = URLDecoder.decode((eq < 0 ? pair : pair.substring(0, eq)).replace("+", "%2B"), StandardCharsets.UTF_8);
      if (isEngineParameter(name)) {
        removed = true;
      } else {
        kept.add(pair);
      }
    }
    return removed ? URI.create(text.substring(0, mark + 1) + kept + text.substring(end)) : uri;
  }

  /**
   * What to add to the message of a backend's {@link io.tes4j.spi.UnknownParameterException}: the
   * engine's parameters, and the likely meaning of a misspelt name.
   *
   * @param unknown the names the backend did not know
   * @param backendKnown the names it knows
   * @return e.g. {@code ; the engine takes maxQueued, maxRunning, store, ...; maxRuning: did you mean maxRunning?}
   */
  public static String unknownParameterHint(Set<String> unknown, Set<String> backendKnown) {
    StringBuilder hint = new StringBuilder("; the engine takes ").append(String.join(", ", NAMES));
    List<String> candidates = new ArrayList<>(backendKnown);
    candidates.addAll(PLAIN);
    candidates.add(TAG_LIMIT + "KEY");
    for (String name : unknown) {
      String best = null;
      int bestDistance = 3;
      for (String candidate : new TreeSet<>(candidates)) {
        int distance = distance(name.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
        if (distance < bestDistance) {
          best = candidate;
          bestDistance = distance;
        }
      }
      if (best == null && name.toLowerCase(Locale.ROOT).startsWith("taglimit")) {
        best = TAG_LIMIT + "KEY";
      }
      if (best != null) {
        hint.append("; ").append(name).append(": did you mean ").append(best).append('?');
      }
    }
    return hint.toString();
  }

  /** The Levenshtein distance of two short names. */
  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
