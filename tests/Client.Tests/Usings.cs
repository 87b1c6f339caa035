// The tests' temp directories are TestingHost's (one implementation for every test project).
global using TempDirectory = Woodpecker.TestingHost.TestDirectory;
