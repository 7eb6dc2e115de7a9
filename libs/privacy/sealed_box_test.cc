#include "libs/privacy/sealed_box.h"

#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace kpr::privacy {
namespace {

const std::string kKey(32, '\x42');

TEST(SealedBoxTest, RoundTrip) {
  SealedBox box(kKey);
  const std::string text = "+45 12 34 56 78 æøå";
  auto sealed = box.Seal(text, "referral:r1:phone");
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  EXPECT_EQ(sealed->size(), SealedBox::kNonceSize + text.size() + SealedBox::kTagSize);
  EXPECT_EQ(sealed->find(text), std::string::npos);
  auto opened = box.Open(*sealed, "referral:r1:phone");
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(*opened, text);
  // Another instance with the same key opens it (nothing but the key is state).
  EXPECT_EQ(*SealedBox(kKey).Open(*sealed, "referral:r1:phone"), text);
}

TEST(SealedBoxTest, EmptyPlaintextAndEmptyAssociatedData) {
  SealedBox box(kKey);
  auto sealed = box.Seal("", "");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->size(), SealedBox::kNonceSize + SealedBox::kTagSize);
  auto opened = box.Open(*sealed, "");
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(*opened, "");
  EXPECT_EQ(box.Open(*sealed, "x").status().code(), absl::StatusCode::kDataLoss);
}

TEST(SealedBoxTest, BinaryAndLargePlaintext) {
  SealedBox box(kKey);
  std::string text(100000, '\0');
  for (size_t i = 0; i < text.size(); ++i) text[i] = static_cast<char>(i * 7);
  auto sealed = box.Seal(text, "ad");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(*box.Open(*sealed, "ad"), text);
}

TEST(SealedBoxTest, WrongAssociatedDataFails) {
  SealedBox box(kKey);
  auto sealed = box.Seal("secret", "referral:r1:phone");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(box.Open(*sealed, "referral:r2:phone").status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(box.Open(*sealed, "").status().code(), absl::StatusCode::kDataLoss);
}

TEST(SealedBoxTest, WrongKeyFails) {
  auto sealed = SealedBox(kKey).Seal("secret", "ad");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(SealedBox(std::string(32, '\x43')).Open(*sealed, "ad").status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(SealedBoxTest, AnyTamperedByteFails) {
  SealedBox box(kKey);
  auto sealed = box.Seal("secret", "ad");
  ASSERT_TRUE(sealed.ok());
  for (size_t i = 0; i < sealed->size(); ++i) {  // nonce, ciphertext and tag bytes
    std::string tampered = *sealed;
    tampered[i] ^= 0x01;
    EXPECT_EQ(box.Open(tampered, "ad").status().code(), absl::StatusCode::kDataLoss) << i;
  }
  EXPECT_EQ(box.Open(sealed->substr(0, sealed->size() - 1), "ad").status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(box.Open(*sealed + "x", "ad").status().code(), absl::StatusCode::kDataLoss);
}

TEST(SealedBoxTest, ShortInputIsDataLoss) {
  SealedBox box(kKey);
  EXPECT_EQ(box.Open("", "ad").status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(box.Open(std::string(27, 'x'), "ad").status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(box.Open(std::string(28, 'x'), "ad").status().code(), absl::StatusCode::kDataLoss);
}

TEST(SealedBoxTest, TwoSealsOfTheSameTextDiffer) {
  SealedBox box(kKey);
  auto a = box.Seal("same", "ad");
  auto b = box.Seal("same", "ad");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_NE(a->substr(0, SealedBox::kNonceSize), b->substr(0, SealedBox::kNonceSize));
}

TEST(SealedBoxTest, BadKeySizeIsFailedPrecondition) {
  SealedBox box(std::string(16, 'k'));
  EXPECT_EQ(box.Seal("x", "ad").status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(box.Open(std::string(40, 'x'), "ad").status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(SealedBoxTest, ConcurrentUseOfOneBox) {
  SealedBox box(kKey);
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&box, &failures, t] {
      for (int i = 0; i < 2000; ++i) {
        const std::string text = "t" + std::to_string(t) + "-" + std::to_string(i);
        auto sealed = box.Seal(text, "ad");
        if (!sealed.ok()) {
          ++failures[t];
          continue;
        }
        auto opened = box.Open(*sealed, "ad");
        if (!opened.ok() || *opened != text) ++failures[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int f : failures) EXPECT_EQ(f, 0);
}

// Contexts are reused across calls: a failed Open must not spoil the next one, and every Seal
// gets its own nonce.
TEST(SealedBoxTest, ReusedContextsStayCorrect) {
  SealedBox box(kKey);
  auto good = box.Seal("first", "ad");
  ASSERT_TRUE(good.ok());
  std::string tampered = *good;
  tampered[SealedBox::kNonceSize] ^= 1;
  EXPECT_EQ(box.Open(tampered, "ad").status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(*box.Open(*good, "ad"), "first");
  auto again = box.Seal("first", "ad");
  ASSERT_TRUE(again.ok());
  EXPECT_NE(again->substr(0, SealedBox::kNonceSize), good->substr(0, SealedBox::kNonceSize));
  EXPECT_EQ(*box.Open(*again, "ad"), "first");
  SealedBox copy = box;  // copies share contexts and key
  EXPECT_EQ(*copy.Open(*good, "ad"), "first");
}

// Nonces are drawn in bulk; a forked child must not seal with the ones its parent buffered.
TEST(SealedBoxTest, ForkedChildDrawsItsOwnNonces) {
  SealedBox box(kKey);
  ASSERT_TRUE(box.Seal("fill the buffer", "ad").ok());
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto sealed = box.Seal("child", "ad");
    std::string nonce = sealed.ok() ? sealed->substr(0, SealedBox::kNonceSize) : std::string();
    ssize_t written = write(fds[1], nonce.data(), nonce.size());
    _exit(written == static_cast<ssize_t>(SealedBox::kNonceSize) ? 0 : 1);
  }
  close(fds[1]);
  auto parent = box.Seal("parent", "ad");
  ASSERT_TRUE(parent.ok());
  std::string child_nonce(SealedBox::kNonceSize, '\0');
  ASSERT_EQ(read(fds[0], child_nonce.data(), child_nonce.size()),
            static_cast<ssize_t>(SealedBox::kNonceSize));
  close(fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_NE(child_nonce, parent->substr(0, SealedBox::kNonceSize));
}

}  // namespace
}  // namespace kpr::privacy
