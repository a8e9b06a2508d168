import sys

from lrplot.cli import main

sys.exit(main())
