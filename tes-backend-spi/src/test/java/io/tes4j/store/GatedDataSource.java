package io.tes4j.store;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A data source whose next {@code COMMIT}, once {@link #hold()} is called, waits until {@link
 * #release()}: the writer is then stuck in a commit while the test lines up the writes that the
 * next transaction must take together, so that what a batch holds is not left to timing.
 */
final class GatedDataSource implements DataSource {
  private final DataSource real;
  private volatile CountDownLatch held;
  private volatile CountDownLatch released;
  private volatile Thread lastCommitter;

  GatedDataSource(DataSource real) {
    this.real = real;
  }

  /** Makes the next COMMIT wait for {@link #release()}. */
  void hold() {
    held = new CountDownLatch(1);
    released = new CountDownLatch(1);
  }

  /** Waits until a COMMIT waits. */
  void awaitHeld() throws InterruptedException {
    if (!held.await(30, TimeUnit.SECONDS)) {
      throw new AssertionError("no COMMIT came within 30 s");
    }
  }

  /** Lets the waiting COMMIT go on; later ones do not wait. */
  void release() {
    released.countDown();
  }

  /** The thread that ran the last COMMIT. */
  Thread lastCommitter() {
    return lastCommitter;
  }

  @Override
  public Connection getConnection() throws SQLException {
    Connection c = real.getConnection();
    return (Connection)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {Connection.class},
            (proxy, method, args) -> {
              Object result = invoke(method, c, args);
              return result instanceof Statement && method.getName().equals("createStatement")
                  ? gated((Statement) result)
                  : result;
            });
  }

  private Statement gated(Statement s) {
    return (Statement)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {Statement.class},
            (proxy, method, args) -> {
              if (method.getName().equals("execute")
                  && args != null
                  && String.valueOf(args[0]).trim().toUpperCase(Locale.ROOT).equals("COMMIT")) {
                lastCommitter = Thread.currentThread();
                CountDownLatch wait = released;
                CountDownLatch signal = held;
                if (wait != null && wait.getCount() > 0 && signal.getCount() > 0) {
                  signal.countDown();
                  if (!wait.await(30, TimeUnit.SECONDS)) {
                    throw new SQLException("the test never released the COMMIT");
                  }
                }
              }
              return invoke(method, s, args);
            });
  }

  private static Object invoke(java.lang.reflect.Method method, Object target, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  @Override
  public Connection getConnection(String user, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException("no users");
  }

  @Override
  public PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) {}

  @Override
  public void setLoginTimeout(int seconds) {}

  @Override
  public int getLoginTimeout() {
    return 0;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException();
  }

  @Override
  public <T> T unwrap(Class<T> type) throws SQLException {
    throw new SQLException("not a wrapper");
  }

  @Override
  public boolean isWrapperFor(Class<?> type) {
    return false;
  }
}
