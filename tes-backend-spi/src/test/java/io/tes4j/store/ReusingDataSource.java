package io.tes4j.store;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The least of a connection pool, for tests: a closed connection goes back to an idle queue and
 * is handed out again, as a pool (HikariCP...) would. Opening a PostgreSQL connection starts a
 * server process, which made the unpooled contract run ten times slower.
 */
final class ReusingDataSource implements DataSource, AutoCloseable {
  private final DataSource physical;
  private final ConcurrentLinkedQueue<Connection> idle = new ConcurrentLinkedQueue<>();

  ReusingDataSource(DataSource physical) {
    this.physical = physical;
  }

  @Override
  public Connection getConnection() throws SQLException {
    Connection c = idle.poll();
    if (c == null || c.isClosed()) {
      c = physical.getConnection();
    }
    Connection real = c;
    return (Connection)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {Connection.class},
            (proxy, method, args) -> {
              if (method.getName().equals("close")) {
                if (!real.isClosed()) {
                  if (!real.getAutoCommit()) {
                    real.rollback();
                    real.setAutoCommit(true);
                  }
                  idle.add(real);
                }
                return null;
              }
              try {
                return method.invoke(real, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  @Override
  public Connection getConnection(String user, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException("one user per pool");
  }

  @Override
  public void close() throws SQLException {
    for (Connection c; (c = idle.poll()) != null; ) {
      c.close();
    }
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
