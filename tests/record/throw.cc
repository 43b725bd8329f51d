// throw.cc - C++ exceptions thrown and caught in many threads while
// sampled (libgcc's unwinder runs in the program and in the handler), and
// new/delete through libstdc++ for the heap profile.
//
//   throw THREADS SECONDS
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

static std::atomic<bool> stop{false};
static std::atomic<long> caught{0};

__attribute__((noinline)) static void thrower(int depth)
{
	if (depth == 0)
		throw std::runtime_error(std::string(100, 'x'));
	thrower(depth - 1);
	asm volatile("" ::: "memory");
}

__attribute__((noinline)) static void new_delete()
{
	std::vector<int *> v;

	for (int i = 0; i < 100; i++)
		v.push_back(new int[64]);
	for (int *p : v)
		delete[] p;
}

static void work()
{
	while (!stop.load()) {
		try {
			thrower(10);
		} catch (const std::exception &) {
			caught++;
		}
		new_delete();
	}
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? std::atoi(argv[1]) : 4;
	double secs = argc > 2 ? std::atof(argv[2]) : 2;
	std::vector<std::thread> ts;

	for (int i = 0; i < n; i++)
		ts.emplace_back(work);
	std::this_thread::sleep_for(std::chrono::duration<double>(secs));
	stop = true;
	for (auto &t : ts)
		t.join();
	std::printf("throw %d threads: done\n", n);
	return caught.load() > 0 ? 0 : 1;
}
