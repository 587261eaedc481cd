// asio-echo.cpp - the Boost.Asio peer of bench-echo: ONE io_context run by
// N threads, the closest multi-threaded peer to an IOCP thread pool (any
// thread runs any connection's next handler).
//
//   - Per connection: async_read_some into the session's own buffer, then
//     async_write of what came, then the next read. One operation in flight
//     per connection, so its handlers never run at once and need no strand.
//   - Handler memory is Asio's own per-thread recycling allocator.
//   - With --threads 1 the io_context gets concurrency hint 1, which lets
//     Asio drop its internal locking: the single-threaded peer at its best.
//
//   asio-echo [--port] PORT [--threads N (default: CPUs)]
//
// Listens on 127.0.0.1 only.
#include <boost/asio.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

namespace net = boost::asio;
using net::ip::tcp;

namespace {

class session : public std::enable_shared_from_this<session> {
public:
  explicit session(tcp::socket s) : sock_(std::move(s)) {}
  void start() { read(); }

private:
  void read() {
    auto self = shared_from_this();
    sock_.async_read_some(
        net::buffer(buf_, sizeof(buf_)),
        [this, self](const boost::system::error_code &ec, std::size_t n) {
          if (!ec)
            write(n);
        });
  }
  void write(std::size_t n) {
    auto self = shared_from_this();
    net::async_write(
        sock_, net::buffer(buf_, n),
        [this, self](const boost::system::error_code &ec, std::size_t) {
          if (!ec)
            read();
        });
  }

  tcp::socket sock_;
  char buf_[65536];
};

void accept_loop(tcp::acceptor &acc) {
  acc.async_accept([&acc](const boost::system::error_code &ec, tcp::socket s) {
    if (!ec)
      std::make_shared<session>(std::move(s))->start();
    accept_loop(acc);
  });
}

[[noreturn]] void usage() {
  std::fprintf(stderr, "usage: asio-echo [--port] PORT [--threads N]\n");
  std::exit(2);
}

} // namespace

int main(int argc, char **argv) {
  int port = 7000;
  int threads = static_cast<int>(std::thread::hardware_concurrency());
  for (int i = 1; i < argc; i++) {
    if (std::strcmp(argv[i], "--port") == 0 && i + 1 < argc)
      port = std::atoi(argv[++i]);
    else if (std::strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
      threads = std::atoi(argv[++i]);
    else if (argv[i][0] != '-')
      port = std::atoi(argv[i]);
    else
      usage();
  }
  if (port <= 0 || port > 65535 || threads <= 0)
    usage();

  net::io_context io(threads);
  tcp::acceptor acc(io);
  try {
    tcp::endpoint ep(net::ip::address_v4::loopback(),
                     static_cast<unsigned short>(port));
    acc.open(ep.protocol());
    acc.set_option(tcp::acceptor::reuse_address(true));
    acc.bind(ep);
    acc.listen(4096);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "asio-echo: listen on port %d: %s\n", port, e.what());
    return 1;
  }
  std::fprintf(stderr, "asio-echo: port=%d threads=%d boost=%d\n", port,
               threads, BOOST_VERSION);
  accept_loop(acc);
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; i++)
    pool.emplace_back([&io] { io.run(); });
  io.run();
  for (auto &t : pool)
    t.join();
  return 0;
}
