package io.tes4j.model.internal;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Defensive copies for the model records. Not part of the API.
 *
 * <p>Servers in the wild send {@code null} where a list or map is expected, and even {@code null}
 * elements inside lists (TESK once answered {@code "system_logs": [null]}). The records read such
 * documents instead of failing, so {@code null} collections become empty and {@code null} elements
 * are dropped. Maps keep their insertion order, so tags and env print the way they were written.
 */
public final class Collections2 {
  private Collections2() {}

  /**
   * An unmodifiable copy without {@code null} elements; empty for {@code null}. Without nulls it is
   * {@link List#copyOf}, which returns a list it made itself unchanged: a record rebuilt from
   * another one's lists (a task whose state changed) shares them instead of copying them again.
   */
  public static <T> List<T> list(List<T> source) {
    if (source == null || source.isEmpty()) {
      return List.of();
    }
    boolean nulls = false;
    for (T element : source) {
      if (element == null) {
        nulls = true;
        break;
      }
    }
    if (!nulls) {
      return List.copyOf(source);
    }
    List<T> copy = new ArrayList<>(source.size());
    for (T element : source) {
      if (element != null) {
        copy.add(element);
      }
    }
    return Collections.unmodifiableList(copy);
  }

  /**
   * An unmodifiable, insertion-ordered copy without {@code null} keys; {@code null} values become
   * empty strings (TES maps are string to string, and a tag with an empty value is meaningful). A
   * map this method made is returned unchanged, as {@link List#copyOf} returns its own lists: a task
   * rebuilt at each change of state shares its tags instead of copying them again.
   */
  public static Map<String, String> stringMap(Map<String, String> source) {
    if (source == null || source.isEmpty()) {
      return Map.of();
    }
    if (source instanceof FrozenStringMap) {
      return source;
    }
    Map<String, String> copy = new LinkedHashMap<>(Math.max(4, source.size() * 4 / 3 + 1));
    source.forEach(
        (key, value) -> {
          if (key != null) {
            copy.put(key, Objects.requireNonNullElse(value, ""));
          }
        });
    return new FrozenStringMap(copy);
  }

  /**
   * The maps {@link #stringMap} makes: a read-only view of a copy that nothing else references, so
   * that it can be shared as it is. A JDK unmodifiable map could not be trusted so: it may be a view
   * of a map its maker still changes. Mutators throw (AbstractMap's {@code put}, the view's entry
   * set for the rest); equality, hashing and printing are a map's.
   */
  private static final class FrozenStringMap extends AbstractMap<String, String> {
    private final Map<String, String> view;

    FrozenStringMap(Map<String, String> copy) {
      this.view = Collections.unmodifiableMap(copy);
    }

    @Override
    public Set<Entry<String, String>> entrySet() {
      return view.entrySet();
    }

    @Override
    public int size() {
      return view.size();
    }

    @Override
    public boolean containsKey(Object key) {
      return view.containsKey(key);
    }

    @Override
    public String get(Object key) {
      return view.get(key);
    }

    @Override
    public Set<String> keySet() {
      return view.keySet();
    }

    @Override
    public Collection<String> values() {
      return view.values();
    }

    @Override
    public void forEach(BiConsumer<? super String, ? super String> action) {
      view.forEach(action);
    }
  }

  /**
   * For builders: a mutable copy of {@code source}, refusing {@code null} elements, because a
   * silently dropped {@code null} would change what the caller built (a command losing an argument).
   *
   * @throws NullPointerException naming the element, e.g. {@code command[2] is null}
   */
  public static <T> List<T> requireNoNulls(List<? extends T> source, String name) {
    Objects.requireNonNull(source, name);
    List<T> copy = new ArrayList<>(source.size());
    for (int i = 0; i < source.size(); i++) {
      T element = source.get(i);
      if (element == null) {
        throw new NullPointerException(name + "[" + i + "] is null");
      }
      copy.add(element);
    }
    return copy;
  }

  /**
   * For builders: refuses {@code null} keys and values.
   *
   * @throws NullPointerException naming the entry, e.g. {@code env["HOME"] is null}
   */
  public static <M extends Map<String, String>> M requireNoNulls(M map, String name) {
    Objects.requireNonNull(map, name);
    map.forEach(
        (key, value) -> {
          if (key == null) {
            throw new NullPointerException(name + " has a null key");
          }
          if (value == null) {
            throw new NullPointerException(name + "[\"" + key + "\"] is null");
          }
        });
    return map;
  }
}
