package io.faultfabric.streams.examples

import io.faultfabric.engine.ResponseCode
import org.apache.pekko.actor.typed.ActorSystem
import org.apache.pekko.actor.typed.scaladsl.Behaviors
import org.scalatest.BeforeAndAfterAll
import org.scalatest.matchers.should.Matchers
import org.scalatest.wordspec.AnyWordSpec

import scala.concurrent.Await
import scala.concurrent.duration._

class ScalaEmbeddingSpec extends AnyWordSpec with Matchers with BeforeAndAfterAll {
  private val system: ActorSystem[Nothing] = ActorSystem(Behaviors.empty, "scala-simulation")

  override def afterAll(): Unit = {
    system.terminate()
    Await.ready(system.whenTerminated, 30.seconds)
  }

  "A fabric embedded in a Scala-built ActorSystem" should {
    "answer every group of a Scala stream exactly once" in {
      val (responses, end) = Await.result(ScalaEmbeddingExample.run(system), 60.seconds)
      responses should have size 50
      responses.map(_.prgi()).distinct should have size 50
      all(responses.map(_.code())) shouldBe ResponseCode.SUCCESS
      end.outstandingGroups() shouldBe 0
      end.ledger().groupsIssued shouldBe 50
      end.ledger().groupsCompleted() shouldBe 50
      withClue(end.violations().toString) { end.violations().none() shouldBe true }
    }
  }
}
