// Package arrivals starts one Step Functions execution per burst of files
// landing under a bucket prefix, once the burst has been quiet for a
// while: a day copied as 96 files starts one run, not 96.
//
// S3 sends its Object Created events to EventBridge (turned on in the
// bucket's own NotificationConfiguration, with no custom resource), and a
// rule matching the prefix starts a small Standard state machine, the
// window, for each file. Each window execution:
//
//  1. puts its key on an SQS queue;
//  2. waits the quiet period;
//  3. asks Step Functions for the newest running window execution, and
//     ends there unless it is itself that one: a file that arrived later
//     has its own execution, still waiting, which will do the rest;
//  4. waits while the target state machine has a run in progress;
//  5. asks again, and ends if a later file's window has opened meanwhile:
//     that one takes everything, so windows behind a long run merge;
//  6. takes every key off the queue, keeping each key's first Folders
//     folders (its day folder, say), without repeats, and leaving out
//     folder markers above that depth and hidden names ("." or "_");
//  7. starts the target, named after itself, with the folders in its
//     input; after MaxTakes receives it also starts a new window for the
//     rest, which waits for that run.
//
// Why no file is lost: every key is on the queue before its execution
// waits; keys stay there until a window is about to start a run; and the
// last file's window, which no later one outlives, finds itself the newest
// at both looks and empties the queue. What can happen is an extra run:
// Step Functions lists executions eventually consistently, so a window
// looking just as a file arrives may not see that file's execution yet,
// run, and leave the file's own window to run once more. Runs that
// overwrite whole partitions make that harmless.
//
// Nothing is dropped silently: EventBridge retries a window it cannot
// start for a day, then puts the event in the dead-letter queue; a key
// received five times without being deleted goes there too; an alarm fires
// on any message in it, and another on a key older than a window may
// wait; and a window execution that fails is a failed execution like any
// other (see the alert package).
package arrivals
