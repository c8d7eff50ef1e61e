#include "runtime/console.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <string>

namespace burrow::runtime {
namespace {

struct SocketPair {
  base::UniqueFd a, b;
};

SocketPair socket_pair() {
  int fds[2];
  EXPECT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds), 0);
  return {base::UniqueFd(fds[0]), base::UniqueFd(fds[1])};
}

TEST(Console, OpenPtyGivesAnUnlockedPairWithTheRequestedSize) {
  int master = -1, peer = -1;
  InitError error;
  ASSERT_TRUE(open_pty("/dev/ptmx", ConsoleSize{31, 97}, &master, &peer, error)) << error.message;
  base::UniqueFd master_fd(master), peer_fd(peer);
  EXPECT_TRUE(::isatty(peer));
  winsize size{};
  ASSERT_EQ(::ioctl(peer, TIOCGWINSZ, &size), 0);
  EXPECT_EQ(size.ws_row, 31);
  EXPECT_EQ(size.ws_col, 97);
  EXPECT_EQ(::fcntl(master, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
  EXPECT_EQ(::fcntl(peer, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
}

TEST(Console, OpenPtyReportsAMissingPtmx) {
  int master = -1, peer = -1;
  InitError error;
  EXPECT_FALSE(open_pty("/nonexistent/ptmx", ConsoleSize{}, &master, &peer, error));
  EXPECT_EQ(error.code, ENOENT);
  EXPECT_NE(std::string(error.message).find("/nonexistent/ptmx"), std::string::npos);
}

TEST(Console, TheMasterTravelsOverTheConsoleSocket) {
  int master = -1, peer = -1;
  InitError error;
  ASSERT_TRUE(open_pty("/dev/ptmx", ConsoleSize{}, &master, &peer, error)) << error.message;
  base::UniqueFd peer_fd(peer);
  // Raw, so the bytes come through as written.
  termios mode{};
  ASSERT_EQ(::tcgetattr(peer, &mode), 0);
  ::cfmakeraw(&mode);
  ASSERT_EQ(::tcsetattr(peer, TCSANOW, &mode), 0);

  SocketPair sockets = socket_pair();
  ASSERT_TRUE(send_console_fd(sockets.b.get(), master, error)) << error.message;
  ::close(master);
  auto received = receive_console_fd(sockets.a.get());
  ASSERT_TRUE(received) << received.error().message;
  EXPECT_EQ(::fcntl(received->get(), F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
  ASSERT_EQ(::write(received->get(), "hi", 2), 2);
  char buffer[8] = {};
  ASSERT_EQ(::read(peer, buffer, sizeof buffer), 2);
  EXPECT_EQ(std::string(buffer, 2), "hi");
}

TEST(Console, ReceivingFromAChildThatSentNothingFails) {
  SocketPair sockets = socket_pair();
  sockets.b.reset();
  auto received = receive_console_fd(sockets.a.get());
  ASSERT_FALSE(received);
  EXPECT_EQ(received.error().code, EPROTO);
}

TEST(Console, AMessageWithoutAnFdIsRefused) {
  SocketPair sockets = socket_pair();
  ASSERT_EQ(::send(sockets.b.get(), "x", 1, 0), 1);
  auto received = receive_console_fd(sockets.a.get());
  ASSERT_FALSE(received);
  EXPECT_EQ(received.error().code, EPROTO);
}

}  // namespace
}  // namespace burrow::runtime
