package io.faultfabric.streams.examples

// example:begin
import io.faultfabric.engine.{GroupResponse, IommuKind, OwnerKind, PageRequest, Permissions, RoutingMode}
import io.faultfabric.engine.topology.UniformTopology
import io.faultfabric.streams.{FabricSnapshot, FaultFabric}
import org.apache.pekko.actor.typed.ActorSystem
import org.apache.pekko.stream.scaladsl.{Sink, Source}

import scala.concurrent.{ExecutionContext, Future}
import scala.jdk.CollectionConverters._
import scala.jdk.FutureConverters._

/** The same embedding from Scala: a fabric inside a Scala-built ActorSystem, fed by a Scala stream. */
object ScalaEmbeddingExample {
  def run(system: ActorSystem[_]): Future[(Seq[GroupResponse], FabricSnapshot)] = {
    implicit val sys: ActorSystem[_] = system
    implicit val ec: ExecutionContext = system.executionContext
    val topology = new UniformTopology(1, IommuKind.SMMUV3, 2048, 2, 0, 64, 32, 1,
      UniformTopology.Assignment.CONTIGUOUS, List(OwnerKind.USER_DRIVER).asJava, 0, 512, RoutingMode.OWNER).build()

    FaultFabric.builder(system, topology).seed(7).withResponses().start().asScala.flatMap { fabric =>
      val rid = topology.devicePfRid(1)
      val pasid = topology.pasidOf(1, 3)
      val requests = (0 until 50).map(i =>
        new PageRequest(rid, pasid, true, i, 0x20_0000L + i * 4096L, Permissions.READ | Permissions.WRITE, true, System.nanoTime(), i))

      val answers = fabric.responses().asScala.take(50).runWith(Sink.seq)
      Source(requests).runWith(fabric.pageRequests(rid).asScala)
      for {
        got <- answers
        end <- fabric.shutdown().asScala
      } yield (got, end)
    }
  }
}
// example:end
