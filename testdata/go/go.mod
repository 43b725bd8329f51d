module cprof.example/fixtures

go 1.19
